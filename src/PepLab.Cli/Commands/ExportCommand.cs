using System.CommandLine;
using PepLab.Core;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep export ...</c>: write PepLab data in other programs' formats.</summary>
internal static class ExportCommand
{
    public static Command Build()
    {
        var export = new Command("export", "Write trajectories in other layouts (the original sampler's HDF5 files, ...).");
        export.Subcommands.Add(BuildLegacy());
        return export;
    }

    private static Command BuildLegacy()
    {
        var dataset = new Argument<string>("DATASET")
        {
            Description = "A trajectory file, a PepLab data set (its complete runs), or a folder whose *.h5 trajectory files are all exported.",
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder to write the dataset_tumble_{P_t:.3f}_{density}.h5 files and sampler_records.csv into (created if missing).",
            Required = true,
            HelpName = "DIR",
        };
        var rolled = Flag("--rolled", "Also write the 13 rolled uint8 copies conf_{iteration}_{roll}, roll = 0, 10, ..., 120, like the original sampler.py (about 4.3x the bytes).");
        var overwrite = Flag("--overwrite", "Replace exported files that already exist in --out.");
        var quiet = Flag("--quiet", "No progress output.", "-q");

        var cmd = new Command("legacy",
            "Export trajectories to the original sampler's layout: one dataset_tumble_{P_t:.3f}_{density}.h5 per run with " +
            "conf_{iteration} int32 (nx, ny) frames (and rolled copies with --rolled), and rows appended to sampler_records.csv.");
        cmd.Arguments.Add(dataset);
        foreach (var o in new Option[] { output, rolled, overwrite, quiet }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("export legacy", () =>
        {
            string source = r.GetValue(dataset)!;
            string folder = r.GetValue(output)!;
            bool roll = r.GetValue(rolled);
            bool q = r.GetValue(quiet);
            var files = DataSet.TrajectoryFiles(source);
            var items = LegacyExport.Plan(files, folder, r.GetValue(overwrite));
            long total = items.Sum(i => (long)i.Info.Frames);
            var done = new List<TrajectoryInfo>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long bytes = 0;
            try
            {
                Progress.Run(q, "export legacy", total, "frames", report =>
                {
                    long before = 0;
                    foreach (var item in items)
                    {
                        long offset = before;
                        bytes += LegacyExport.Export(item, roll, n => report(offset + n), Cancellation);
                        done.Add(item.Info);
                        before += item.Info.Frames;
                    }
                    return 0;
                });
            }
            finally
            {
                // Completed files are listed even when a later one fails or Ctrl-C stops the export.
                if (done.Count > 0)
                {
                    string records = LegacyExport.AppendRecords(folder, done);
                    if (!q) Console.Error.WriteLine($"appended {done.Count} row(s) to {records}");
                }
            }
            foreach (var item in items)
                Console.WriteLine($"{item.Source} -> {item.Target}");
            Console.WriteLine($"exported {items.Count} run(s), {total} frames{(roll ? " with 13 rolled copies each" : "")}: " +
                              $"{bytes / 1e6:0.0} MB in {clock.Elapsed.TotalSeconds:0.0} s");
            return Ok;
        }));
        return cmd;
    }
}
