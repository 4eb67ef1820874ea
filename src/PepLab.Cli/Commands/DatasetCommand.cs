using PepLab.Core;
using System.CommandLine;
using System.Globalization;
using PepLab.Store;
using Spectre.Console;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep dataset ...</c>: look at data sets (folders of trajectory files, either layout).</summary>
internal static class DatasetCommand
{
    public static Command Build()
    {
        var dataset = new Command("dataset", "Inspect data sets: folders of trajectory files of PepLab's or the original layout.");
        dataset.Subcommands.Add(BuildInfo());
        return dataset;
    }

    private static Command BuildInfo()
    {
        var path = new Argument<string>("PATH") { Description = "A data set folder (its *.h5 files) or a single trajectory file, of either layout." };
        var json = Flag("--json", "Print the summary as JSON on stdout instead of tables.");
        var runs = Flag("--runs", "Also list every run (file) in a table.");
        var quiet = QuietOption();
        var cmd = new Command("info",
            "Summarise a data set or file: layout, runs, densities, tumbles, lattice, frames, bytes on disk and " +
            "compression ratio (raw uint8 frame bytes / bytes on disk).");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { json, runs, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("dataset info", () =>
        {
            string p = r.GetValue(path)!;
            int files = DataSet.TrajectoryFiles(p).Count;
            var summary = Progress.Run(r.GetValue(quiet) || files < 2, "dataset info", files, "files",
                report => DatasetSummary.Of(p, n => report(n), Cancellation));
            if (r.GetValue(json)) Console.WriteLine(summary.ToJson());
            else Render(summary, r.GetValue(runs));
            foreach (var problem in summary.Problems)
                Error("dataset info", problem.Message);
            if (summary.Problems.Count > 0)
            {
                Error("dataset info", $"{summary.Problems.Count} of {files} files in {p} cannot be read");
                return BadInput;
            }
            return Ok;
        }));
        return cmd;
    }

    private static string Py(double x) => PythonFloat.Repr(x);

    private static string Bytes(long b) => b switch
    {
        >= 1L << 30 => $"{b / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{b / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{b / 1024.0:0.0} KiB",
        _ => $"{b} B",
    };

    private static string Ratio(double x) => double.IsNaN(x) ? "-" : x.ToString("0.00", CultureInfo.InvariantCulture);

    private static string List<T>(IReadOnlyList<T> values, Func<T, string> show, int max = 12) =>
        values.Count == 0 ? "-"
        : values.Count <= max ? string.Join(", ", values.Select(show))
        : string.Join(", ", values.Take(max).Select(show)) + $", ... ({values.Count} values)";

    private static void Render(DatasetSummary s, bool listRuns)
    {
        // A terminal's width wraps long file names; output to a file or pipe gets room for a row per line.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 240;
        var table = new Table().Title(Markup.Escape(s.Path)).AddColumns("", "value");
        table.AddRow("layout", Markup.Escape(List(s.Layouts, x => x)));
        table.AddRow("runs", s.Runs.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("densities", Markup.Escape(List(s.Densities, Py)));
        table.AddRow("tumbles (P_t)", Markup.Escape(List(s.Tumbles, Py)));
        table.AddRow("lattice", Markup.Escape(List(s.Lattices, l => $"{l.Nx}x{l.Ny}")));
        table.AddRow("frames", s.Frames.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("bytes on disk", $"{Bytes(s.Bytes)} ({s.Bytes:N0} B)");
        table.AddRow("bytes per frame", double.IsNaN(s.BytesPerFrame) ? "-" : $"{s.BytesPerFrame:N0} B");
        table.AddRow("raw uint8 bytes", $"{Bytes(s.RawBytes)}");
        table.AddRow("compression ratio", Ratio(s.CompressionRatio));
        if (s.PlannedStatus is { } planned)
            table.AddRow("data set (sample.json)", Markup.Escape($"{planned.Values.Sum()} planned runs: " +
                string.Join(", ", planned.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))));
        if (s.Incomplete.Count > 0) table.AddRow("incomplete (*.partial)", s.Incomplete.Count.ToString(CultureInfo.InvariantCulture));
        if (s.Problems.Count > 0) table.AddRow("unreadable files", s.Problems.Count.ToString(CultureInfo.InvariantCulture));
        console.Write(table);
        if (!listRuns || s.Runs.Count == 0) return;
        var runs = new Table().AddColumns("file", "layout", "density", "P_t", "lattice", "N", "frames", "interval", "bytes", "ratio");
        foreach (var r in s.Runs)
            runs.AddRow(Markup.Escape(Path.GetFileName(r.File)), r.LayoutName, Py(r.Density), Py(r.Tumble), $"{r.Nx}x{r.Ny}",
                r.Particles.ToString(CultureInfo.InvariantCulture), r.Frames.ToString(CultureInfo.InvariantCulture),
                r.Interval?.ToString(CultureInfo.InvariantCulture) ?? "-", Bytes(r.Bytes), Ratio(r.CompressionRatio));
        console.Write(runs);
    }
}
