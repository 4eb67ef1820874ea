using PepLab.Core;
using System.CommandLine;
using PepLab.Store;
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
        var json = Output.JsonOption();
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

    private static void Render(DatasetSummary s, bool listRuns)
    {
        var table = new TextTable("", "value") { Title = s.Path };
        foreach (var (name, value) in s.Describe()) table.Row(name, value);
        table.Show();
        if (!listRuns || s.Runs.Count == 0) return;
        var runs = new TextTable(DatasetSummary.RunColumns);
        foreach (var r in s.Runs) runs.Row(DatasetSummary.RunRow(r).ToArray());
        runs.Show();
    }
}
