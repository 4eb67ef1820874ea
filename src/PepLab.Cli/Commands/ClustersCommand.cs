using System.CommandLine;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep clusters</c>: per-frame cluster statistics of trajectories, as CSV.</summary>
internal static class ClustersCommand
{
    /// <summary>Options shared with <c>pep equilibrate</c>.</summary>
    internal static Argument<string?> PathArgument(bool required) => new("PATH")
    {
        Description = "A trajectory file, or a folder whose .h5 trajectory files are all analysed (in parallel).",
        Arity = required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne,
    };

    internal static Option<string> StatOption(string what)
    {
        var o = Option("--stat", $"Statistic {what}: {string.Join(", ", FrameStatisticNames.All)}.", "weighted_mean");
        o.HelpName = "NAME";
        return o;
    }

    public static Command Build()
    {
        var path = PathArgument(required: true);
        var output = PathOption("--out", "Per-frame CSV to write (- for stdout): " + ClusterTable.Header + ".", "-o");
        var sizes = PathOption("--sizes", "Also write every cluster size: a CSV of run,iteration,size rows (one per cluster per frame).");
        var overwrite = OverwriteOption("--out and --sizes");
        var frames = FramesOption();
        var steady = Flag("--steady", "Keep only each run's steady state: the frames from t0 on, t0 found on --stat by Chodera's method (as pymbar's detectEquilibration; " +
            "the fast variant above " + SteadyState.ExactLimit + " frames, as every command).");
        var stat = StatOption("used by --steady to find t0");
        var jobs = JobsOption("Files analysed");
        var quiet = QuietOption();
        var json = Output.JsonOption();
        output.HelpName = "FILE.csv";
        sizes.HelpName = "SIZES.csv";

        var cmd = new Command("clusters",
            "Label the clusters (4-neighbour, periodic in both directions) of every frame and write per-frame statistics as CSV: " +
            "number of clusters, mean size N/K, weighted mean size sum(s^2)/sum(s), largest cluster / N, and the global polarisation " +
            "(magnitude of the mean orientation vector).");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { output, sizes, overwrite, frames, steady, stat, jobs, quiet, json }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("clusters", () =>
        {
            string outPath = r.GetValue(output) ?? throw new PepLabInputException("--out", "is required (the per-frame CSV to write)");
            var statistic = FrameStatisticNames.Parse(r.GetValue(stat)!);
            var table = new ClusterTable { Range = Frames(r, frames), Steady = r.GetValue(steady) ? statistic : null, Jobs = Jobs(r, jobs) };
            string? sizesPath = r.GetValue(sizes);
            if (sizesPath is not null && Path.GetFullPath(sizesPath) == Path.GetFullPath(outPath))
                throw new PepLabInputException("--sizes", "must name another file than --out");
            if (r.GetValue(json) && (TextOutput.IsStandardOutput(outPath) || TextOutput.IsStandardOutput(sizesPath)))
                throw new PepLabInputException("--json", "needs stdout for itself: write the CSV to a file, not -");
            TextOutput.CheckTarget(outPath, r.GetValue(overwrite), "--out");
            if (sizesPath is not null) TextOutput.CheckTarget(sizesPath, r.GetValue(overwrite), "--sizes");
            var files = DataSet.TrajectoryFiles(r.GetValue(path)!);
            long total = RunAnalysis.TotalFrames(files, table.Range);
            Progress.Run(r.GetValue(quiet), "clusters", total, "frames", report =>
            {
                long done = 0;
                return table.Write(files, outPath, sizesPath, n => report(done += n), Cancellation);
            });
            if (r.GetValue(json))
            {
                Output.Json("clusters", new { Out = outPath, Sizes = sizesPath, Frames = table.Written, table.Runs });
                return Ok;
            }
            var messages = Output.Messages(TextOutput.IsStandardOutput(sizesPath) ? sizesPath : outPath);
            foreach (var n in table.Notes) messages.WriteLine(n);
            messages.WriteLine($"wrote {TextOutput.Describe(outPath)}: {table.Written} frames of {files.Count} run{(files.Count == 1 ? "" : "s")}" +
                              (sizesPath is null ? "" : $"; cluster sizes in {TextOutput.Describe(sizesPath)}"));
            return Ok;
        }));
        return cmd;
    }
}
