using System.Globalization;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Report;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Experiments;

/// <summary>The cluster statistics of one run, over the whole run and over its steady state.</summary>
public sealed record RunSummary
{
    public required string File { get; init; }
    public required double Density { get; init; }
    public required double Tumble { get; init; }
    public required int? Replica { get; init; }
    public required int Frames { get; init; }
    /// <summary>First steady frame (Chodera's t0 of the weighted mean cluster size).</summary>
    public required int SteadyStart { get; init; }
    /// <summary>Statistical inefficiency g of the steady part.</summary>
    public required double Inefficiency { get; init; }
    /// <summary>Mean over the steady frames of the weighted mean cluster size sum(s^2)/sum(s).</summary>
    public required double WeightedMeanSize { get; init; }
    /// <summary>Mean over the steady frames of the largest cluster's share of particles.</summary>
    public required double Largest { get; init; }
    /// <summary>Mean over the steady frames of the number of clusters.</summary>
    public required double Clusters { get; init; }
}

/// <summary>The building blocks experiments share: sample, analyse, train, evaluate, draw.</summary>
public static class StudyStages
{
    /// <summary>
    /// Creates (or resumes) a data set and runs what is missing of it, or of the runs in
    /// <paramref name="subset"/> only (a SLURM task's share); returns the sweep's result, null when
    /// nothing was missing.
    /// </summary>
    public static SweepResult? Sample(IExperimentHost host, string folder, SampleSpec spec, int jobs, IReadOnlyCollection<int>? subset = null)
    {
        var set = DataSet.CreateOrResume(folder, spec);
        var todo = set.Runs.Where(r => (subset is null || subset.Contains(r.Index)) && !(File.Exists(set.PathOf(r)) && set.IsComplete(r))).ToList();
        if (todo.Count == 0)
        {
            host.Info($"data: {subset?.Count ?? set.Runs.Count} runs already in {folder} (reused)");
            return null;
        }
        host.Info($"simulate: {todo.Count} of {set.Runs.Count} runs ({spec.Nx}x{spec.Ny}, {spec.Snapshots} snapshots each) into {folder}");
        var result = host.Step("simulate", todo.Sum(r => r.Work), "updates", report =>
            Sampler.Run(set, Math.Max(1, jobs), subset, p => report(p.WorkDone), host.Cancellation));
        if (result.Failed.Count > 0)
            throw new InvalidOperationException($"{result.Failed.Count} run(s) failed, first {result.Failed[0].Run.File}: {result.Failed[0].Error}");
        return result;
    }

    /// <summary>Cluster statistics of every file and each run's steady-state start.</summary>
    public static (IReadOnlyList<RunSeries> Series, IReadOnlyList<RunSummary> Summaries) Analyse(
        IExperimentHost host, IReadOnlyList<string> paths, long totalFrames, int jobs, bool keepSizes)
    {
        long done = 0;
        var series = host.Step("analyse clusters", totalFrames, "frames", report =>
        {
            var analysed = new RunSeries[paths.Count];
            RunAnalysis.AnalyseFiles(paths, Math.Max(1, jobs), null, keepSizes, (i, s) => analysed[i] = s,
                n => report(Interlocked.Add(ref done, n)), host.Cancellation);
            return analysed;
        });
        var summaries = series.Select(Summarise).ToList();
        return (series, summaries);
    }

    /// <summary>A run's summary: its steady state (<see cref="SteadyState"/> on the weighted mean cluster size) and steady means.</summary>
    public static RunSummary Summarise(RunSeries s)
    {
        var eq = new SteadyState(statistic: FrameStatistic.WeightedMean).Compute(s);
        var steady = eq.SteadyRun;
        return new RunSummary
        {
            File = s.Name + ".h5",
            Density = s.Info.DensityRequested,
            Tumble = s.Info.Tumble,
            Replica = RunName.ReplicaOf(s.Name),
            Frames = s.Count,
            SteadyStart = eq.T0Frame,
            Inefficiency = eq.G,
            WeightedMeanSize = eq.Mean,
            Largest = steady.Series(FrameStatistic.Largest).Average(),
            Clusters = steady.Series(FrameStatistic.Clusters).Average(),
        };
    }

    /// <summary>Prepares and runs a training job with progress.</summary>
    public static TrainResult Train(IExperimentHost host, TrainRequest request, string label)
    {
        var log = new JobLog { Info = l => host.Info($"{label}: {l}"), Warning = w => host.Info($"{label}: warning: {w}") };
        var prepared = TrainingJob.Prepare(request, log, host.Cancellation);
        return host.Train(prepared.Options.Epochs, progress =>
            TrainingJob.Execute(prepared, new JobLog { Info = log.Info, Warning = log.Warning, Training = progress }, host.Cancellation));
    }

    /// <summary>
    /// The training split of a study that scores <paramref name="heldOut"/> afterwards (<see cref="ScoreHeldOut"/>):
    /// those replicas set aside, validation on the last part of each other run, with a gap that short
    /// runs of <paramref name="snapshots"/> frames can afford (at most the default 50).
    /// </summary>
    public static SplitOptions HeldOutSplit(IReadOnlyList<int> heldOut, int snapshots) =>
        new() { Kind = SplitKind.Trajectory, SetAside = heldOut, Gap = Math.Min(new SplitOptions().Gap, snapshots / 8) };

    /// <summary>The folder in a model folder with its scoring of the held-out replicas (as <c>pep evaluate</c> writes it).</summary>
    public const string HeldOutFolder = "eval-heldout";

    /// <summary>
    /// <paramref name="result"/> with its validation replaced by the scoring of <paramref name="replicas"/>
    /// of <paramref name="dataset"/>, which the training set aside (<see cref="SplitOptions.SetAside"/>):
    /// experiments and the quickstart score through <see cref="TrainResult.Outcome"/>'s validation
    /// predictions and <see cref="TrainResult.Validation"/>. Run ids are those of the whole data set.
    /// The calibrated scoring is written into the model's <see cref="HeldOutFolder"/>;
    /// <paramref name="uncalibrated"/> scores the raw output and writes nothing.
    /// </summary>
    public static TrainResult ScoreHeldOut(IExperimentHost host, TrainResult result, string dataset, IReadOnlyList<int> replicas, string label,
        bool uncalibrated = false)
    {
        var data = TrajectorySet.Open(dataset);
        var scored = TrajectorySet.FromRuns(data.Root, data.Runs.Where(r => r.Replica is { } replica && replicas.Contains(replica)));
        using var job = EvaluationJob.Open(result.Folder, scored, uncalibrated: uncalibrated);
        Predictions? predictions = null;
        EvaluationDocument? document = null;
        host.Step($"{label}: score on held-out replica {Experiment.Replicas(replicas)}", job.TotalFrames, "frames", report =>
            (predictions, document) = job.Evaluate((d, _) => report(d), host.Cancellation));
        if (!uncalibrated) job.Write(Path.Combine(result.Folder, HeldOutFolder), predictions!, document!);
        return result with { Outcome = result.Outcome with { Validation = predictions! }, Validation = document!.Evaluation };
    }

    /// <summary>A trained model's predictions on a data set (another lattice size is fine for a size-agnostic model).</summary>
    public static (Predictions Predictions, Evaluation Evaluation, TargetTransform Target) Evaluate(IExperimentHost host, string model, string dataset,
        ValueFilter? densities = null)
    {
        using var job = EvaluationJob.Open(model, dataset, new RunFilter(densities));
        Predictions? predictions = null;
        EvaluationDocument? document = null;
        host.Step($"predict {Path.GetFileName(dataset)}", job.TotalFrames, "frames", report =>
            (predictions, document) = job.Evaluate((d, _) => report(d), host.Cancellation));
        return (predictions!, document!.Evaluation, job.Model.Config.Target);
    }

    /// <summary>A trained model's predictions on chosen frames, with per-run estimates.</summary>
    public static (Predictions Predictions, IReadOnlyList<RunEstimate> Runs, TargetTransform Target) Predict(IExperimentHost host, string model, FrameSet frames,
        IReadOnlyDictionary<int, RunEntry> runs, string title)
    {
        var device = TorchRuntime.ResolveDevice("auto");
        using var loaded = ModelFile.Load(model, device);
        var predictions = host.Step(title, frames.TotalFrames, "frames", report =>
            Trainer.Predict(loaded.Network, frames, device, 256, progress: (d, _) => report(d), cancellation: host.Cancellation));
        return (predictions, LearnFiles.EstimateRuns(predictions, runs, loaded.Config.Target), loaded.Config.Target);
    }

    /// <summary>Training curves, predicted against true, and error violins of a trained model; returns (file, caption) pairs relative to <paramref name="folder"/>.</summary>
    public static List<(string File, string Caption)> LearningFigureSet(string folder, TrainResult result, string prefix, string what)
    {
        var figures = new List<(string, string)>();
        var h = result.Outcome.History;
        string curves = $"{prefix}training_curves.png";
        LearningFigures.TrainingCurves(h.Select(x => (double)x.Epoch).ToArray(), h.Select(x => x.TrainLoss).ToArray(),
            h.Select(x => x.ValLoss).ToArray(), h.Select(x => x.ValPearson).ToArray(), lossName: result.Document.Training?.Loss ?? "loss",
            title: $"Training curves ({what})").SavePng(Path.Combine(folder, curves));
        figures.Add((curves, $"Training and validation loss per epoch, and the validation Pearson r ({what})."));
        var v = result.Outcome.Validation;
        figures.AddRange(PredictionFigures(folder, v.Truth, v.Tumble, prefix, what));
        return figures;
    }

    public static List<(string File, string Caption)> PredictionFigures(string folder, double[] truth, double[] predicted, string prefix, string what)
    {
        string pvt = $"{prefix}predicted_vs_true.png", violins = $"{prefix}error_violins.png";
        LearningFigures.PredictedVsTrue(truth, predicted, $"Predicted vs true Pₜ ({what})").SavePng(Path.Combine(folder, pvt));
        LearningFigures.ErrorViolins(truth, predicted, $"Prediction error per Pₜ ({what})").SavePng(Path.Combine(folder, violins));
        return
        [
            (pvt, $"Predicted against true Pₜ for every held-out frame, with each Pₜ's median, interquartile and 5-95% ranges ({what})."),
            (violins, $"Distribution of the prediction error (predicted − true) for each Pₜ ({what})."),
        ];
    }

    public static string F(double x, string format = "0.####") =>
        double.IsNaN(x) ? "n/a" : x.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Writes text under a temporary name and renames it when complete.</summary>
    public static void WriteText(string path, string text) => AtomicFile.WriteAllText(path, text);
}
