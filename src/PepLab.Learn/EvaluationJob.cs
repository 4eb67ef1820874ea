using PepLab.Core;
using PepLab.Store;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>metrics.json of an evaluation.</summary>
public sealed record EvaluationDocument
{
    public string Format { get; init; } = "peplab.evaluation";
    public int FormatVersion { get; init; } = 1;
    public required string Model { get; init; }
    public required string ModelName { get; init; }
    public required string Dataset { get; init; }
    public required Evaluation Evaluation { get; init; }
    /// <summary>True when the predictions went through the model's <see cref="BiasMap"/> (<c>--uncalibrated</c> not given, and the model has one).</summary>
    public bool Calibrated { get; init; }
    /// <summary>Coverage of the 50% and 90% intervals of a gaussian head (null for a point head).</summary>
    public IReadOnlyList<IntervalCoverage>? Coverage { get; init; }
}

/// <summary>What <c>pep predict --json</c> prints: the folder written, the frames predicted and each run's estimate.</summary>
public sealed record PredictionSummary(string Folder, int Frames, IReadOnlyList<RunEstimate> Runs);

/// <summary>
/// A trained model scored on trajectories it never saw: <c>pep evaluate</c>, <c>pep predict</c> and the
/// experiments' scoring, in one place. <see cref="Open(string, string, RunFilter?, string, int, bool)"/> loads the model and the runs and checks they
/// fit (lattice size) before any frame is predicted; <see cref="Evaluate"/> gives the metrics (Pearson r,
/// R^2, MAE, per-P_t statistics, per-run estimates) and <see cref="Write"/> the files; <see cref="Predict"/>
/// gives per-frame predictions and per-run estimates with a confidence interval, for runs of any sizes a
/// size-agnostic model takes.
/// </summary>
public sealed class EvaluationJob : IDisposable
{
    /// <summary>The files <see cref="Write"/> puts in its folder.</summary>
    public static readonly string[] Files = [LearnFiles.Metrics, LearnFiles.PerTumble, LearnFiles.Predictions, LearnFiles.Runs];

    /// <summary>The files <see cref="WritePredictions"/> puts in its folder.</summary>
    public static readonly string[] PredictionFiles = ["frames.csv", LearnFiles.Runs];

    private readonly Device _device;
    private readonly int _batch;

    private EvaluationJob(LoadedModel model, TrajectorySet data, Device device, int batch)
    {
        Model = model;
        Data = data;
        _device = device;
        _batch = batch;
    }

    public LoadedModel Model { get; }
    public TrajectorySet Data { get; }

    /// <summary>Frames <see cref="Evaluate"/> or <see cref="Predict"/> reads.</summary>
    public long TotalFrames => Data.TotalFrames;

    /// <summary>
    /// Loads <paramref name="model"/> (a folder or its model.json) on <paramref name="device"/> ("auto", "cpu", "cuda")
    /// and the runs of <paramref name="data"/> that <paramref name="filter"/> keeps; refuses runs whose lattice
    /// the model does not take. <paramref name="batch"/> frames go through the network at once;
    /// <paramref name="uncalibrated"/> drops the model's <see cref="BiasMap"/> (raw output).
    /// </summary>
    public static EvaluationJob Open(string model, string data, RunFilter? filter = null, string device = "auto", int batch = 256, bool uncalibrated = false) =>
        Open(model, device, batch, uncalibrated, () => TrajectorySet.Open(data, filter?.Densities, filter?.Tumbles, replicas: filter?.Replicas), data);

    /// <summary>
    /// Loads <paramref name="model"/> to score the runs of <paramref name="data"/> as they are (their ids
    /// kept, e.g. a subset of a data set made with <see cref="TrajectorySet.FromRuns"/>); otherwise as
    /// the overload that opens a path.
    /// </summary>
    public static EvaluationJob Open(string model, TrajectorySet data, string device = "auto", int batch = 256, bool uncalibrated = false) =>
        Open(model, device, batch, uncalibrated, () => data, data.Root);

    /// <summary>The model loaded first (a bad model is reported before any data is read), then the runs, checked against it.</summary>
    private static EvaluationJob Open(string model, string device, int batch, bool uncalibrated, Func<TrajectorySet> runs, string subject)
    {
        if (batch < 1) throw new PepLabInputException("batch", $"must be at least 1 (got {batch})");
        var dev = TorchRuntime.ResolveDevice(device);
        var loaded = ModelFile.Load(model, dev);
        if (uncalibrated) loaded.Network.Bias = null;
        try
        {
            var set = runs();
            foreach (var (nx, ny) in set.Runs.Select(x => (x.Info.Nx, x.Info.Ny)).Distinct())
                loaded.RequireLattice(nx, ny, subject);
            return new EvaluationJob(loaded, set, dev, batch);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An evaluation as one SLURM job running <paramref name="command"/>, writing into
    /// <paramref name="folder"/>; nothing is left when its metrics are already there.
    /// </summary>
    public SlurmStage SlurmStage(string folder, string command) => new()
    {
        Name = "evaluate", Command = command, Done = File.Exists(Path.Combine(folder, LearnFiles.Metrics)),
        Description = $"evaluating {Model.Folder} on {TotalFrames} frames into {folder}",
    };

    /// <summary>The default folder of an evaluation's files: MODEL/eval-DATANAME.</summary>
    public static string DefaultFolder(string modelFolder, string data) =>
        Path.Combine(modelFolder, $"eval-{Path.GetFileNameWithoutExtension(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data))))}");

    /// <summary>Every frame's prediction; <paramref name="progress"/> gets (frames done, total).</summary>
    public Predictions PredictAll(Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        // Runs of different sizes are predicted size by size (a batch holds one size).
        var parts = Data.Runs.GroupBy(x => (x.Info.Nx, x.Info.Ny)).ToList();
        long before = 0;
        var all = new List<Predictions>();
        foreach (var group in parts)
        {
            var frames = (parts.Count == 1 ? Data : TrajectorySet.FromRuns(Data.Root, group)).All();
            long offset = before;
            all.Add(Trainer.Predict(Model.Network, frames, _device, _batch,
                progress: progress is null ? null : (done, _) => progress(offset + done, TotalFrames), cancellation: cancellation));
            before += frames.TotalFrames;
        }
        return Concat(all);
    }

    /// <summary>Scores the model: predictions, metrics and (for a gaussian head) interval coverage.</summary>
    public (Predictions Predictions, EvaluationDocument Document) Evaluate(Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        var predictions = PredictAll(progress, cancellation);
        var runs = Data.Runs.ToDictionary(x => x.Id);
        var estimates = LearnFiles.EstimateRuns(predictions, runs, Model.Config.Target);
        var document = new EvaluationDocument
        {
            Model = Model.Folder,
            Calibrated = Model.Network.Bias is not null,
            ModelName = Model.Document.Name,
            Dataset = Data.Root,
            Evaluation = Metrics.Evaluate(predictions.Truth, predictions.Tumble, predictions.Runs, estimates),
            Coverage = Coverage.Of(predictions, Model.Config.Target),
        };
        return (predictions, document);
    }

    /// <summary>Writes <see cref="Files"/> of an evaluation into <paramref name="folder"/> (created).</summary>
    public void Write(string folder, Predictions predictions, EvaluationDocument document)
    {
        Directory.CreateDirectory(folder);
        var runs = Data.Runs.ToDictionary(x => x.Id);
        LearnFiles.WritePredictions(Path.Combine(folder, LearnFiles.Predictions), predictions, runs);
        LearnFiles.WritePerTumble(Path.Combine(folder, LearnFiles.PerTumble), document.Evaluation.PerTumble);
        LearnFiles.WriteRuns(Path.Combine(folder, LearnFiles.Runs), document.Evaluation.RunEstimates);
        ModelFile.WriteJson(Path.Combine(folder, LearnFiles.Metrics), document);
    }

    /// <summary>
    /// Every frame's prediction and each run's estimate with a <paramref name="confidence"/> interval from
    /// <paramref name="blocks"/> time blocks (frames of a run are correlated).
    /// </summary>
    public (Predictions Predictions, IReadOnlyList<RunEstimate> Runs) Predict(double confidence = 0.95, int blocks = 10,
        Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        if (!(confidence > 0 && confidence < 1)) throw new PepLabInputException("confidence", $"must be in (0, 1) (got {confidence})");
        if (blocks < 2) throw new PepLabInputException("ciBlocks", $"must be at least 2 (got {blocks})");
        var predictions = PredictAll(progress, cancellation);
        var runs = Data.Runs.ToDictionary(x => x.Id);
        return (predictions, LearnFiles.EstimateRuns(predictions, runs, Model.Config.Target, confidence, blocks));
    }

    /// <summary>Writes <see cref="PredictionFiles"/> into <paramref name="folder"/> (created).</summary>
    public void WritePredictions(string folder, Predictions predictions, IReadOnlyList<RunEstimate> estimates)
    {
        Directory.CreateDirectory(folder);
        LearnFiles.WritePredictions(Path.Combine(folder, PredictionFiles[0]), predictions, Data.Runs.ToDictionary(x => x.Id));
        LearnFiles.WriteRuns(Path.Combine(folder, PredictionFiles[1]), estimates);
    }

    private static Predictions Concat(IReadOnlyList<Predictions> parts)
    {
        if (parts.Count == 1) return parts[0];
        return new Predictions
        {
            Runs = parts.SelectMany(p => p.Runs).ToArray(),
            Frames = parts.SelectMany(p => p.Frames).ToArray(),
            Truth = parts.SelectMany(p => p.Truth).ToArray(),
            Target = parts.SelectMany(p => p.Target).ToArray(),
            Sigma = parts.All(p => p.Sigma is not null) ? parts.SelectMany(p => p.Sigma!).ToArray() : null,
            Tumble = parts.SelectMany(p => p.Tumble).ToArray(),
        };
    }

    public void Dispose() => Model.Dispose();
}
