using System.Text.Json;
using System.Text.Json.Serialization;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Report;
using PepLab.Store;

namespace PepLab.Experiments;

/// <summary>Settings of <c>pep quickstart</c>.</summary>
public sealed record QuickstartOptions
{
    public string Out { get; init; } = "quickstart";
    public int Nx { get; init; } = 64;
    public int Ny { get; init; } = 64;
    public double Density { get; init; } = 0.15;
    public int Replicas { get; init; } = 2;
    public int Snapshots { get; init; } = 1000;
    public int Warmup { get; init; } = RunParameters.DefaultWarmup;
    public int Epochs { get; init; } = 10;
    public ulong Seed { get; init; } = 1;
    /// <summary>Simulations and analyses at once (0 = all cores).</summary>
    public int Jobs { get; init; }
    /// <summary>
    /// libtorch threads for training. Default 1: with two threads libtorch's OpenMP workers spin, and on a
    /// machine whose cores are busy with anything else an epoch ran 50-100x slower than with one thread.
    /// </summary>
    public int Threads { get; init; } = 1;
    /// <summary>"tiny" for the --tiny preset (shown in the report's rerun command).</summary>
    public string? Preset { get; init; }

    /// <summary>The preset the tests use: 32x32, 40 snapshots after a short warm-up, one epoch.</summary>
    public static QuickstartOptions Tiny(string output) => new() { Out = output, Nx = 32, Ny = 32, Snapshots = 40, Warmup = 100, Epochs = 1, Preset = "tiny" };

    public QuickstartOptions Validate()
    {
        if (Nx < 8 || Ny < 8) throw new PepLabInputException(Nx < 8 ? "nx" : "ny", $"must be at least 8 (got {(Nx < 8 ? Nx : Ny)})");
        if (Snapshots < 8) throw new PepLabInputException("snapshots", $"must be at least 8 (got {Snapshots})");
        if (Epochs < 1) throw new PepLabInputException("epochs", $"must be at least 1 (got {Epochs})");
        if (Threads < 0) throw new PepLabInputException("threads", $"must be 0 (all cores) or a positive count (got {Threads})");
        if (Jobs < 0) throw new PepLabInputException("jobs", $"must be at least 0 (got {Jobs})");
        return this;
    }
}

/// <summary>The numbers of a quickstart, as written to results.json next to the report.</summary>
public sealed record QuickstartResults
{
    public string Format { get; init; } = "peplab.quickstart";
    public int FormatVersion { get; init; } = 1;
    /// <summary>The process that wrote the results.</summary>
    public Provenance Provenance { get; init; } = Provenance.Current();
    public required string Dataset { get; init; }
    public required string Model { get; init; }
    public required int Nx { get; init; }
    public required int Ny { get; init; }
    public required double Density { get; init; }
    public required IReadOnlyList<double> Tumbles { get; init; }
    public required IReadOnlyList<RunSummary> Runs { get; init; }
    public required int TrainFrames { get; init; }
    /// <summary>Held-out frames (replica 1), the rows of the model's eval-heldout/predictions.csv.</summary>
    public required int TestFrames { get; init; }
    public required int Epochs { get; init; }
    public required double TrainSeconds { get; init; }
    public required double Pearson { get; init; }
    public required double PearsonLog { get; init; }
    public required double R2 { get; init; }
    public required double Mae { get; init; }
    public required double OverlapRatio { get; init; }
    public required IReadOnlyList<TumbleStats> PerTumble { get; init; }
    public required IReadOnlyList<RunEstimate> RunEstimates { get; init; }
    public required IReadOnlyList<string> Figures { get; init; }

    /// <summary>PepLab's JSON style (<see cref="PepLabJson"/>).</summary>
    public static JsonSerializerOptions Json => PepLabJson.Options;
}

/// <summary>
/// <c>pep quickstart</c>: a small sweep (one density, the five even Pₜ, two replicas), cluster
/// statistics and steady states, PepLab's default model trained on replica 0 and scored on replica 1,
/// and a report (report.md, report.html, results.json) with its figures. Re-running reuses the data.
/// </summary>
public static class Quickstart
{
    public const string DataFolder = "data";
    public const string ModelFolder = "model";
    public const string ReportFolder = "report";
    public const string ResultsFile = "results.json";

    /// <summary>Runs every step; returns the path of report.html and the numbers.</summary>
    public static (string Report, QuickstartResults Results) Run(QuickstartOptions o, IExperimentHost host)
    {
        o.Validate();
        string root = Path.GetFullPath(o.Out);
        if (File.Exists(root)) throw new PepLabInputException("out", $"'{o.Out}' is a file; it needs a folder");
        int jobs = o.Jobs == 0 ? Environment.ProcessorCount : o.Jobs;
        var tumbles = ParameterGrid.EvenTumbles();

        var spec = new SampleSpec
        {
            Densities = [o.Density], Tumbles = tumbles, Replicas = o.Replicas, Nx = o.Nx, Ny = o.Ny,
            Snapshots = o.Snapshots, Warmup = o.Warmup, BaseSeed = o.Seed,
        };
        string dataFolder = Path.Combine(root, DataFolder);
        string modelFolder = Path.Combine(root, ModelFolder);
        var request = new TrainRequest
        {
            Dataset = dataFolder,
            Out = modelFolder,
            Epochs = o.Epochs,
            Seed = o.Seed,
            Threads = o.Threads,
            // Replica 1 is scored after training; the model validates on a time split of replica 0.
            Split = StudyStages.HeldOutSplit([1], o.Snapshots),
            Overwrite = true,
        };
        // Every setting is checked before anything is created: a bad one leaves no folder behind.
        spec.Plan();
        TrainingJob.CheckSettings(request).Config.Shapes(o.Nx, o.Ny);

        // 1. Data.
        host.Info($"step 1/5: data ({o.Nx}x{o.Ny}, density {Figure.Num(o.Density)}, {tumbles.Length} P_t, {o.Replicas} replicas, {o.Snapshots} snapshots)");
        StudyStages.Sample(host, dataFolder, spec, jobs);
        var set = DataSet.Open(dataFolder);

        // 2. Cluster statistics and steady states.
        host.Info("step 2/5: cluster statistics and steady states");
        var data = TrajectorySet.Open(dataFolder);
        var paths = data.Runs.Select(r => r.Path).ToList();
        var (series, summaries) = StudyStages.Analyse(host, paths, data.TotalFrames, jobs, keepSizes: true);
        foreach (var s in summaries)
            host.Info($"steady state: {s.File}: t0 = frame {s.SteadyStart} of {s.Frames}, weighted mean cluster size {StudyStages.F(s.WeightedMeanSize, "0.##")}");

        // 3. Train on replica 0, score on replica 1.
        host.Info("step 3/5: train PepLab's default model on replica 0, score it on replica 1");
        var trained = StudyStages.ScoreHeldOut(host, StudyStages.Train(host, request, "train"), dataFolder, [1], "train");

        // 4. Figures.
        host.Info("step 4/5: figures");
        string reportFolder = Path.Combine(root, ReportFolder);
        Directory.CreateDirectory(reportFolder);
        var figures = host.Step("figures", 6, "figures", report => DrawFigures(reportFolder, data, series, summaries, trained, report));

        // 5. Report and numbers.
        host.Info("step 5/5: report");
        var results = ResultsOf(o, dataFolder, modelFolder, tumbles, summaries, trained, figures);
        StudyStages.WriteText(Path.Combine(reportFolder, ResultsFile), JsonSerializer.Serialize(results, QuickstartResults.Json) + "\n");
        var doc = BuildReport(o, set, results, figures, trained);
        var (_, html) = doc.Write(reportFolder);
        return (html, results);
    }

    /// <summary>Every number of the quickstart's report.</summary>
    private static QuickstartResults ResultsOf(QuickstartOptions o, string dataFolder, string modelFolder, double[] tumbles,
        IReadOnlyList<RunSummary> summaries, TrainResult trained, List<(string File, string Caption)> figures)
    {
        var eval = trained.Validation;
        return new QuickstartResults
        {
            Dataset = dataFolder,
            Model = modelFolder,
            Nx = o.Nx,
            Ny = o.Ny,
            Density = o.Density,
            Tumbles = tumbles,
            Runs = summaries,
            TrainFrames = (int)(trained.Document.Training?.TrainFrames ?? 0),
            TestFrames = eval.Frames,
            Epochs = trained.Outcome.History.Count,
            TrainSeconds = Math.Round(trained.Outcome.Seconds, 2),
            Pearson = eval.Pearson,
            PearsonLog = eval.PearsonLog,
            R2 = eval.R2,
            Mae = eval.Mae,
            OverlapRatio = eval.OverlapRatio,
            PerTumble = eval.PerTumble,
            RunEstimates = eval.RunEstimates,
            Figures = figures.Select(f => f.File).ToList(),
        };
    }

    /// <summary>The report's figures, drawn into <paramref name="folder"/>; returns (file, caption) pairs.</summary>
    private static List<(string File, string Caption)> DrawFigures(string folder, TrajectorySet data, IReadOnlyList<RunSeries> series,
        IReadOnlyList<RunSummary> summaries, TrainResult trained, Action<double> report)
    {
        var figures = new List<(string File, string Caption)>();
        var steadySeries = series.OrderBy(s => s.Info.Tumble).Where(s => RunName.ReplicaOf(s.Name) == 0).ToList();
        if (steadySeries.Count == 0) steadySeries = series.ToList();
        TimeSeriesFigure.FromRuns(steadySeries, FrameStatistic.WeightedMean, title: "Weighted mean cluster size over time (replica 0)")
            .SavePng(Path.Combine(folder, "weighted_mean.png"));
        figures.Add(("weighted_mean.png", "Weighted mean cluster size against time for each Pₜ (replica 0); the shaded band marks the detected steady state."));
        report(1);
        var steady = series.Select((s, i) => s.From(Math.Max(0, Array.IndexOf(s.FrameIndices, summaries[i].SteadyStart)))).ToList();
        SizeDistributionFigure.FromRuns(steady, SweptParameter.Tumble, " (steady state)").SavePng(Path.Combine(folder, "size_distribution.png"));
        figures.Add(("size_distribution.png", "Cluster-size distribution per Pₜ, pooled over the steady-state frames of both replicas."));
        report(2);
        var lowest = data.Runs.OrderBy(r => r.Tumble).First();
        using (var source = FrameSources.Open(lowest.Path))
            SnapshotFigure.FromSource(source, source.Count - 1, new SnapshotStyle()).SavePng(Path.Combine(folder, "snapshot.png"));
        figures.Add(("snapshot.png", $"The last snapshot of {lowest.Name} (Pₜ = {Figure.Num(lowest.Tumble)}), coloured by orientation."));
        report(3);
        figures.AddRange(StudyStages.LearningFigureSet(folder, trained, "", "held-out replica 1"));
        report(6);
        return figures;
    }

    private static ReportDocument BuildReport(QuickstartOptions o, DataSet set, QuickstartResults r, List<(string File, string Caption)> figures,
        TrainResult trained)
    {
        var doc = new ReportDocument("PepLab quickstart") { Generator = $"PepLab {PepLabVersion.Current}" };
        doc.Paragraph("Can a convolutional network read the tumbling probability Pₜ of a persistent exclusion process from a single snapshot? " +
                      "This report simulates a small sweep, measures its clusters, trains PepLab's default model on one replica of every run and scores it on the other.");
        doc.Heading("Setup");
        doc.Bullets(
        [
            $"Lattice {o.Nx} x {o.Ny}, density {Figure.Num(o.Density)}, Pₜ = {string.Join(", ", r.Tumbles.Select(Figure.Num))}, {o.Replicas} replicas, " +
            $"{o.Snapshots} snapshots per run after a warm-up of {o.Warmup} iterations (data: {DataFolder}/, {set.Runs.Count} runs).",
            $"Model {trained.Document.Name} ({trained.Document.Parameters:N0} parameters), {r.Epochs} epoch(s), seed {o.Seed}; " +
            $"trained on replica 0 ({r.TrainFrames} frames), scored on replica 1 ({r.TestFrames} frames) that it never saw.",
            "Steady state: Chodera's t0 of each run's weighted mean cluster size.",
        ]);
        doc.Heading("Cluster statistics");
        doc.Table(["run", "Pₜ", "frames", "steady from frame", "weighted mean size", "largest cluster share", "clusters"],
            r.Runs.Select(x => (IReadOnlyList<string>)[x.File, Figure.Num(x.Tumble), x.Frames.ToString(), x.SteadyStart.ToString(),
                StudyStages.F(x.WeightedMeanSize, "0.##"), StudyStages.F(x.Largest, "0.###"), StudyStages.F(x.Clusters, "0.#")]));
        foreach (var f in figures.Take(3)) doc.Figure(f.File, f.Caption);
        doc.Heading("Learning Pₜ");
        doc.Paragraph($"On the held-out replica: Pearson r = {StudyStages.F(r.Pearson)} (on log Pₜ: {StudyStages.F(r.PearsonLog)}), R² = {StudyStages.F(r.R2)}, " +
                      $"mean absolute error {StudyStages.F(r.Mae, "0.#####")}; the mean ± std of the predictions covers the true Pₜ for {StudyStages.F(100 * r.OverlapRatio, "0")}% of the Pₜ values.");
        doc.Table(["true Pₜ", "frames", "median prediction", "std", "median error"],
            r.PerTumble.Select(t => (IReadOnlyList<string>)[Figure.Num(t.Tumble), t.Frames.ToString(), StudyStages.F(t.Median, "0.#####"),
                StudyStages.F(t.Std, "0.#####"), StudyStages.F(100 * t.MedianRelativeError, "+0.0;-0.0") + "%"]));
        doc.Table(["held-out run", "true Pₜ", "estimate from all frames", "95% interval"],
            r.RunEstimates.Select(e => (IReadOnlyList<string>)[e.File, e.Truth is { } t ? Figure.Num(t) : "-", StudyStages.F(e.Estimate, "0.#####"),
                $"{StudyStages.F(e.Low, "0.#####")} .. {StudyStages.F(e.High, "0.#####")}"]));
        foreach (var f in figures.Skip(3)) doc.Figure(f.File, f.Caption);
        doc.Heading("Files");
        doc.Bullets(
        [
            $"{ResultsFile}: every number of this report.",
            $"../{ModelFolder}/: the trained model (model.json, weights.bin, history.csv, and its validation predictions); {StudyStages.HeldOutFolder}/ in it: its predictions of the held-out replica 1 (predictions.csv, per_tumble.csv, runs.csv, metrics.json).",
            $"../{DataFolder}/: the trajectories (HDF5), sample.json and manifest.csv.",
        ]);
        doc.Heading("Rerun");
        doc.Code($"pep quickstart{(o.Preset == "tiny" ? " --tiny" : "")} --out {o.Out} --nx {o.Nx} --ny {o.Ny} --snapshots {o.Snapshots} --epochs {o.Epochs} --seed {o.Seed}");
        return doc;
    }
}
