using PepLab.Core;
using PepLab.Store;

namespace PepLab.Analyse;

/// <summary>
/// Per-frame cluster statistics of runs as CSV (<see cref="Header"/>, one row per frame) and,
/// optionally, every cluster's size (<see cref="SizesHeader"/>, one row per cluster per frame), the
/// per-cluster table (<see cref="PerClusterTable"/>: centre, radius of gyration, polarisation of every
/// cluster of every frame) and the label image of every frame (<see cref="ClusterLabelsFormat"/>):
/// what <c>pep clusters</c> writes. Every row carries the run's join keys (<see cref="RunKeys"/>).
/// Every file goes through <see cref="AtomicFile"/>, so an interrupted or failed job leaves none.
/// </summary>
/// <remarks>
/// The per-cluster table and the labels stream: each run is read a second time, in file order, as soon
/// as its statistics (and its steady state) are known, while later files are still analysed; memory
/// holds one frame's clusters and one chunk of labels, whatever the number of frames.
/// </remarks>
public sealed class ClusterTable
{
    /// <summary>Header of the per-frame CSV.</summary>
    public static string Header { get; } = "run,iteration,clusters,mean,weighted_mean,largest,polarisation," + RunKeys.Header;

    /// <summary>Header of the cluster-size CSV.</summary>
    public static string SizesHeader { get; } = "run,iteration,size," + RunKeys.Header;

    /// <summary>Frames to analyse of each run (null: all).</summary>
    public FrameRange? Range { get; init; }

    /// <summary>Keep only each run's steady state, t0 found by <see cref="SteadyState"/> on this statistic (null: every frame).</summary>
    public FrameStatistic? Steady { get; init; }

    /// <summary>Files analysed at once (at least 1).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Also write the per-cluster table here (<c>.csv</c> or <c>.parquet</c>, <see cref="PerClusterTable"/>); null: none.</summary>
    public string? PerCluster { get; init; }

    /// <summary>Also write the label image of every frame here (HDF5, <see cref="ClusterLabelsFormat"/>); null: none.</summary>
    public string? Labels { get; init; }

    /// <summary>Replace an existing label file (the CSV and Parquet outputs are replaced as they are committed).</summary>
    public bool Overwrite { get; init; }

    /// <summary>True when each run is read a second time (for <see cref="PerCluster"/> or <see cref="Labels"/>).</summary>
    public bool SecondPass => PerCluster is not null || Labels is not null;

    /// <summary>One line per run when <see cref="Steady"/> is set: its t0, g, N_eff and the frames kept.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Rows (frames) written.</summary>
    public long Written { get; private set; }

    private readonly List<string> _notes = [];

    /// <summary>What was written of each run, in the order written (<c>pep clusters --json</c>).</summary>
    public IReadOnlyList<ClusterRunSummary> Runs => _runs;

    private readonly List<ClusterRunSummary> _runs = [];

    /// <summary>
    /// Checks, creating nothing, what <see cref="Write"/> would refuse about its outputs: <paramref name="output"/>,
    /// <paramref name="sizes"/>, <see cref="PerCluster"/> and <see cref="Labels"/> name different files,
    /// the per-cluster table ends in .csv or .parquet, <see cref="Jobs"/> is at least 1, and the labels do
    /// not come with <see cref="Steady"/> (their frame count is fixed when the file is created).
    /// </summary>
    public void CheckOutputs(string output, string? sizes = null)
    {
        if (Jobs < 1) throw new PepLabInputException("jobs", $"must be at least 1 (got {Jobs})");
        if (PerCluster is not null) PerClusterTable.CheckName(PerCluster, "perCluster");
        if (Labels is not null && Steady is not null)
            throw new PepLabInputException("labels", "cannot be combined with --steady (choose the frames with --frames)");
        var seen = new Dictionary<string, string>();
        foreach (var (subject, path) in new[] { ("out", output), ("sizes", sizes), ("perCluster", PerCluster), ("labels", Labels) })
        {
            if (path is null) continue;
            if (!seen.TryAdd(Path.GetFullPath(path), subject))
                throw new PepLabInputException(subject, $"must name another file than {seen[Path.GetFullPath(path)]}");
        }
    }

    /// <summary>
    /// Frames <see cref="Write"/> reads from <paramref name="files"/> (twice each with <see cref="SecondPass"/>,
    /// fewer when <see cref="Steady"/> drops some); opens every file, so a damaged one is refused before any work.
    /// </summary>
    public long TotalFrames(IReadOnlyList<string> files) => RunAnalysis.TotalFrames(files, Range) * (SecondPass ? 2 : 1);

    /// <summary>
    /// Analyses <paramref name="files"/> and writes <paramref name="output"/> (and <paramref name="sizes"/>,
    /// <see cref="PerCluster"/> and <see cref="Labels"/> when not null); <paramref name="progress"/> gets frames
    /// read. Returns this object with <see cref="Notes"/> and <see cref="Written"/> set.
    /// </summary>
    public ClusterTable Write(IReadOnlyList<string> files, string output, string? sizes = null, Action<long>? progress = null,
        CancellationToken cancellation = default)
    {
        CheckOutputs(output, sizes);
        var gate = new object();
        Action<int> report = n =>
        {
            lock (gate) progress?.Invoke(n);
        };
        using var labels = Labels is null ? null : ClusterLabelsWriter.Create(Labels, LabelRuns(files), Overwrite, "labels");
        using var csv = TextOutput.Create(output, "out");
        using var sizesCsv = sizes is null ? null : TextOutput.Create(sizes, "sizes");
        using var perCluster = PerCluster is null ? null : PerClusterTable.Create(PerCluster, "perCluster");
        csv.Text.WriteLine(Header);
        sizesCsv?.Text.WriteLine(SizesHeader);
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
            var keys = RunKeys.Of(run.Path, run.Info);
            WriteRows(run, keys, csv.Text, sizesCsv?.Text);
            if (SecondPass) RunAnalysis.ClusterPass(run, (frame, iteration, labeller) =>
            {
                perCluster?.Add(run.Name, keys, frame, iteration, labeller.Clusters);
                labels?.Write(frame, iteration, labeller.Labels);
            }, perCluster is not null, report, cancellation);
            Written += run.Count;
            _runs.Add(new ClusterRunSummary(run.Name, analysed, run.Count, t0));
        }, report, cancellation);
        labels?.Complete();
        perCluster?.Commit();
        sizesCsv?.CommitOrExplain("sizes");
        csv.CommitOrExplain("out");
        return this;
    }

    private List<ClusterLabelsRun> LabelRuns(IReadOnlyList<string> files)
    {
        var runs = new List<ClusterLabelsRun>(files.Count);
        foreach (var file in files)
        {
            using var source = FrameSources.Open(file);
            var (a, b) = (Range ?? FrameRange.All).Resolve(source.Count, "frames");
            runs.Add(new ClusterLabelsRun(RunKeys.Of(file, source.Info), source.Info.Nx, source.Info.Ny, b - a));
        }
        return runs;
    }

    private static void WriteRows(RunSeries run, RunKeys keys, TextWriter csv, TextWriter? sizes)
    {
        string name = Csv.Field(run.Name);
        string suffix = "," + keys.CsvFields() + "\n";
        for (int i = 0; i < run.Count; i++)
        {
            var f = run.Frames[i];
            csv.Write(string.Join(',', name, Csv.Num(run.Iterations[i]), Csv.Num(f.Clusters), Csv.Num(f.MeanSize),
                Csv.Num(f.WeightedMeanSize), Csv.Num(f.LargestFraction), Csv.Num(f.Polarisation)));
            csv.Write(suffix);
            if (sizes is null) continue;
            string prefix = name + "," + Csv.Num(run.Iterations[i]) + ",";
            foreach (int s in run.Sizes![i])
            {
                sizes.Write(prefix);
                sizes.Write(Csv.Num(s));
                sizes.Write(suffix);
            }
        }
    }
}

/// <summary>One run of a <see cref="ClusterTable"/>: frames analysed, rows written, and the steady-state start (a frame) when --steady.</summary>
public sealed record ClusterRunSummary(string Run, int Frames, int Written, int? T0);
