using System.CommandLine;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep clusters</c>: per-frame cluster statistics of trajectories, as CSV.</summary>
internal static class ClustersCommand
{
    /// <summary>Header of the per-frame CSV.</summary>
    internal const string FramesHeader = "run,iteration,clusters,mean,weighted_mean,largest,polarisation";

    /// <summary>Options shared with <c>pep equilibrate</c>.</summary>
    internal static Argument<string?> PathArgument(bool required) => new("PATH")
    {
        Description = "A trajectory file, or a folder whose .h5 trajectory files are all analysed (in parallel).",
        Arity = required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne,
    };

    internal static Option<string?> FramesOption()
    {
        var o = PathOption("--frames", "Frames to analyse, a:b as a Python slice (b exclusive; a: or :b; negative counts from the end). Default: all.");
        o.HelpName = "a:b";
        return o;
    }

    internal static Option<string> StatOption(string what)
    {
        var o = Option("--stat", $"Statistic {what}: {string.Join(", ", FrameStatisticNames.All)}.", "weighted_mean");
        o.HelpName = "NAME";
        return o;
    }

    internal static Option<int> JobsOption()
    {
        var o = Option("--jobs", "Files analysed at once when PATH is a folder (default: the number of cores).", Environment.ProcessorCount, "-j");
        o.HelpName = "N";
        return o;
    }

    public static Command Build()
    {
        var path = PathArgument(required: true);
        var output = PathOption("--out", "Per-frame CSV to write (replaced if it exists): " + FramesHeader + ".", "-o");
        var sizes = PathOption("--sizes", "Also write every cluster size: a CSV of run,iteration,size rows (one per cluster per frame).");
        var frames = FramesOption();
        var steady = Flag("--steady", "Keep only each run's steady state: the frames from t0 on, t0 found on --stat by Chodera's method (as pymbar's detectEquilibration; " +
            "the fast variant above " + SteadyState.ExactLimit + " frames, as every command).");
        var stat = StatOption("used by --steady to find t0");
        var jobs = JobsOption();
        var quiet = Flag("--quiet", "No progress output.", "-q");
        output.HelpName = "FILE.csv";
        sizes.HelpName = "SIZES.csv";

        var cmd = new Command("clusters",
            "Label the clusters (4-neighbour, periodic in both directions) of every frame and write per-frame statistics as CSV: " +
            "number of clusters, mean size N/K, weighted mean size sum(s^2)/sum(s), largest cluster / N, and the global polarisation " +
            "(magnitude of the mean orientation vector).");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { output, sizes, frames, steady, stat, jobs, quiet }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("clusters", () =>
        {
            string outPath = r.GetValue(output) ?? throw new PepLabInputException("--out", "is required (the per-frame CSV to write)");
            var files = DataSet.TrajectoryFiles(r.GetValue(path)!);
            var range = r.GetValue(frames) is { } f ? FrameRange.Parse(f) : (FrameRange?)null;
            var statistic = FrameStatisticNames.Parse(r.GetValue(stat)!);
            bool steadyOnly = r.GetValue(steady);
            string? sizesPath = r.GetValue(sizes);
            int j = r.GetValue(jobs);
            if (j < 1) throw new PepLabInputException("--jobs", $"must be at least 1 (got {j})");
            if (sizesPath is not null && Path.GetFullPath(sizesPath) == Path.GetFullPath(outPath))
                throw new PepLabInputException("--sizes", "must name another file than --out");

            long total = TotalFrames(files, range);
            using var csv = AtomicFile.Create(outPath, "--out");
            using var sizesCsv = sizesPath is null ? null : AtomicFile.Create(sizesPath, "--sizes");
            csv.Text.WriteLine(FramesHeader);
            sizesCsv?.Text.WriteLine("run,iteration,size");
            var notes = new List<string>();
            long written = 0;

            Progress.Run(r.GetValue(quiet), "clusters", total, "frames", report =>
            {
                long done = 0;
                var gate = new object();
                RunAnalysis.AnalyseFiles(files, j, range, keepSizes: sizesCsv is not null, (_, run) =>
                {
                    if (steadyOnly)
                    {
                        var eq = new SteadyState(statistic: statistic).Compute(run);
                        notes.Add($"{run.Name}: t0 = frame {eq.T0Frame} (iteration {run.Iterations[eq.T0]}), " +
                                  $"g = {eq.G:0.###}, N_eff = {eq.NEff:0.#}{(eq.Detected ? "" : " (too short or constant to detect)")}; " +
                                  $"kept {run.Count - eq.T0} of {run.Count} frames");
                        run = eq.SteadyRun;
                    }
                    Write(run, csv.Text, sizesCsv?.Text);
                    written += run.Count;
                }, n =>
                {
                    lock (gate)
                    {
                        done += n;
                        report(done);
                    }
                }, Cancellation);
                return 0;
            });
            csv.CommitOrExplain("--out");
            sizesCsv?.CommitOrExplain("--sizes");
            foreach (var n in notes) Console.WriteLine(n);
            Console.WriteLine($"wrote {outPath}: {written} frames of {files.Count} run{(files.Count == 1 ? "" : "s")}" +
                              (sizesPath is null ? "" : $"; cluster sizes in {sizesPath}"));
            return Ok;
        }));
        return cmd;
    }

    /// <summary>Frames to analyse over all files; checks every file opens and that the range fits each run.</summary>
    internal static long TotalFrames(IReadOnlyList<string> files, FrameRange? range)
    {
        long total = 0;
        foreach (var file in files)
        {
            using var source = FrameSources.Open(file);
            var (a, b) = (range ?? FrameRange.All).Resolve(source.Count, $"--frames ({Path.GetFileName(file)})");
            total += b - a;
        }
        return total;
    }

    private static void Write(RunSeries run, TextWriter csv, TextWriter? sizes)
    {
        string name = Csv.Field(run.Name);
        for (int i = 0; i < run.Count; i++)
        {
            var f = run.Frames[i];
            csv.Write(name);
            csv.Write(',');
            csv.Write(Csv.Num(run.Iterations[i]));
            csv.Write(',');
            csv.Write(Csv.Num(f.Clusters));
            csv.Write(',');
            csv.Write(Csv.Num(f.MeanSize));
            csv.Write(',');
            csv.Write(Csv.Num(f.WeightedMeanSize));
            csv.Write(',');
            csv.Write(Csv.Num(f.LargestFraction));
            csv.Write(',');
            csv.Write(Csv.Num(f.Polarisation));
            csv.Write('\n');
            if (sizes is not null)
            {
                string prefix = name + "," + Csv.Num(run.Iterations[i]) + ",";
                foreach (int s in run.Sizes![i])
                {
                    sizes.Write(prefix);
                    sizes.Write(Csv.Num(s));
                    sizes.Write('\n');
                }
            }
        }
    }
}
