using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>
/// Per-frame cluster statistics of runs as CSV (<see cref="Header"/>, one row per frame) and,
/// optionally, every cluster's size (<c>run,iteration,size</c>, one row per cluster per frame):
/// what <c>pep clusters</c> writes. Both files go through <see cref="AtomicFile"/>, so an
/// interrupted or failed job leaves neither.
/// </summary>
public sealed class ClusterTable
{
    /// <summary>Header of the per-frame CSV.</summary>
    public const string Header = "run,iteration,clusters,mean,weighted_mean,largest,polarisation";

    /// <summary>Header of the cluster-size CSV.</summary>
    public const string SizesHeader = "run,iteration,size";

    /// <summary>Frames to analyse of each run (null: all).</summary>
    public FrameRange? Range { get; init; }

    /// <summary>Keep only each run's steady state, t0 found by <see cref="SteadyState"/> on this statistic (null: every frame).</summary>
    public FrameStatistic? Steady { get; init; }

    /// <summary>Files analysed at once (at least 1).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>One line per run when <see cref="Steady"/> is set: its t0, g, N_eff and the frames kept.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Rows (frames) written.</summary>
    public long Written { get; private set; }

    private readonly List<string> _notes = [];

    /// <summary>What was written of each run, in the order written (<c>pep clusters --json</c>).</summary>
    public IReadOnlyList<ClusterRunSummary> Runs => _runs;

    private readonly List<ClusterRunSummary> _runs = [];

    /// <summary>
    /// Analyses <paramref name="files"/> and writes <paramref name="output"/> (and <paramref name="sizes"/> when
    /// not null); <paramref name="progress"/> gets frames read. Returns this object with <see cref="Notes"/> and
    /// <see cref="Written"/> set.
    /// </summary>
    public ClusterTable Write(IReadOnlyList<string> files, string output, string? sizes = null, Action<long>? progress = null,
        CancellationToken cancellation = default)
    {
        if (Jobs < 1) throw new PepLabInputException("jobs", $"must be at least 1 (got {Jobs})");
        if (sizes is not null && Path.GetFullPath(sizes) == Path.GetFullPath(output))
            throw new PepLabInputException("sizes", "must name another file than the per-frame CSV");
        using var csv = TextOutput.Create(output, "out");
        using var sizesCsv = sizes is null ? null : TextOutput.Create(sizes, "sizes");
        csv.Text.WriteLine(Header);
        sizesCsv?.Text.WriteLine(SizesHeader);
        var gate = new object();
        RunAnalysis.AnalyseFiles(files, Jobs, Range, keepSizes: sizesCsv is not null, (_, run) =>
        {
            int analysed = run.Count;
            int? t0 = null;
            if (Steady is { } statistic)
            {
                var eq = new SteadyState(statistic: statistic).Compute(run);
                _notes.Add($"{run.Name}: t0 = frame {eq.T0Frame} (iteration {run.Iterations[eq.T0]}), " +
                           $"g = {eq.G:0.###}, N_eff = {eq.NEff:0.#}{(eq.Detected ? "" : " (too short or constant to detect)")}; " +
                           $"kept {run.Count - eq.T0} of {run.Count} frames");
                t0 = eq.T0Frame;
                run = eq.SteadyRun;
            }
            WriteRows(run, csv.Text, sizesCsv?.Text);
            Written += run.Count;
            _runs.Add(new ClusterRunSummary(run.Name, analysed, run.Count, t0));
        }, n =>
        {
            lock (gate) progress?.Invoke(n);
        }, cancellation);
        csv.CommitOrExplain("out");
        sizesCsv?.CommitOrExplain("sizes");
        return this;
    }

    private static void WriteRows(RunSeries run, TextWriter csv, TextWriter? sizes)
    {
        string name = Csv.Field(run.Name);
        for (int i = 0; i < run.Count; i++)
        {
            var f = run.Frames[i];
            csv.Write(string.Join(',', name, Csv.Num(run.Iterations[i]), Csv.Num(f.Clusters), Csv.Num(f.MeanSize),
                Csv.Num(f.WeightedMeanSize), Csv.Num(f.LargestFraction), Csv.Num(f.Polarisation)));
            csv.Write('\n');
            if (sizes is null) continue;
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

/// <summary>One run of a <see cref="ClusterTable"/>: frames analysed, rows written, and the steady-state start (a frame) when --steady.</summary>
public sealed record ClusterRunSummary(string Run, int Frames, int Written, int? T0);
