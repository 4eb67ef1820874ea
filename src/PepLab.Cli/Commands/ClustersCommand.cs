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
        var perCluster = PathOption("--per-cluster", "Also write every cluster of every frame: " + PerClusterTable.Header +
            " (cluster = its label; centre in lattice units, circular mean on the torus). CSV when FILE ends in .csv, Parquet when it ends in .parquet.");
        var labels = PathOption("--labels", "Also write the label image of every frame as HDF5: /runs/NNNN/labels int32 (frames, nx, ny), " +
            "0 = empty site, 1..K = the cluster column of --per-cluster; iterations, frame indices and the run's keys beside them. Not with --steady.");
        var overwrite = OverwriteOption("--out, --sizes, --per-cluster and --labels");
        var frames = FramesOption();
        var steady = Flag("--steady", "Keep only each run's steady state: the frames from t0 on, t0 found on --stat by Chodera's method (as pymbar's detectEquilibration; " +
            "the fast variant above " + SteadyState.ExactLimit + " frames, as every command).");
        var stat = StatOption("used by --steady to find t0");
        var jobs = JobsOption("Files analysed");
        var quiet = QuietOption();
        var json = Output.JsonOption();
        output.HelpName = "FILE.csv";
        sizes.HelpName = "SIZES.csv";
        perCluster.HelpName = "FILE.csv|FILE.parquet";
        labels.HelpName = "FILE.h5";

        var cmd = new Command("clusters",
            "Label the clusters (4-neighbour, periodic in both directions) of every frame and write per-frame statistics as CSV: " +
            "number of clusters, mean size N/K, weighted mean size sum(s^2)/sum(s), largest cluster / N, and the global polarisation " +
            "(magnitude of the mean orientation vector).");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { output, sizes, perCluster, labels, overwrite, frames, steady, stat, jobs, quiet, json }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("clusters", () =>
        {
            string outPath = r.GetValue(output) ?? throw new PepLabInputException("--out", "is required (the per-frame CSV to write)");
            var statistic = FrameStatisticNames.Parse(r.GetValue(stat)!);
            bool replace = r.GetValue(overwrite);
            var table = new ClusterTable
            {
                Range = Frames(r, frames), Steady = r.GetValue(steady) ? statistic : null, Jobs = Jobs(r, jobs),
                PerCluster = r.GetValue(perCluster), Labels = r.GetValue(labels), Overwrite = replace,
            };
            string? sizesPath = r.GetValue(sizes);
            table.CheckOutputs(outPath, sizesPath);
            if (r.GetValue(json) && (TextOutput.IsStandardOutput(outPath) || TextOutput.IsStandardOutput(sizesPath)))
                throw new PepLabInputException("--json", "needs stdout for itself: write the CSV to a file, not -");
            TextOutput.CheckTarget(outPath, replace, "--out");
            if (sizesPath is not null) TextOutput.CheckTarget(sizesPath, replace, "--sizes");
            if (table.PerCluster is not null) CheckOutputFile("--per-cluster", table.PerCluster, replace);
            if (table.Labels is not null) CheckOutputFile("--labels", table.Labels, replace);
            var files = DataSet.TrajectoryFiles(r.GetValue(path)!);
            long total = table.TotalFrames(files);
            Progress.Run(r.GetValue(quiet), "clusters", total, "frames", report =>
            {
                long done = 0;
                return table.Write(files, outPath, sizesPath, n => report(done += n), Cancellation);
            });
            if (r.GetValue(json))
            {
                Output.Json("clusters", new { Out = outPath, Sizes = sizesPath, table.PerCluster, table.Labels, Frames = table.Written, table.Runs });
                return Ok;
            }
            var messages = Output.Messages(TextOutput.IsStandardOutput(sizesPath) ? sizesPath : outPath);
            foreach (var n in table.Notes) messages.WriteLine(n);
            messages.WriteLine($"wrote {TextOutput.Describe(outPath)}: {table.Written} frames of {files.Count} run{(files.Count == 1 ? "" : "s")}" +
                               (sizesPath is null ? "" : $"; cluster sizes in {TextOutput.Describe(sizesPath)}") +
                               (table.PerCluster is null ? "" : $"; per-cluster table in {table.PerCluster}") +
                               (table.Labels is null ? "" : $"; labels in {table.Labels}"));
            return Ok;
        }));
        return cmd;
    }
}
