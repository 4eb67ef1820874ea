using System.Globalization;
using PepLab.Core;
using PepLab.Store;
using TorchSharp;

namespace PepLab.Learn;

/// <summary>The training settings a named model comes with (each may be overridden).</summary>
public sealed record Recipe(int Epochs, int Batch, double LearningRate, LossKind Loss, Schedule Schedule, int? Patience, AugmentKind Augment)
{
    /// <summary>
    /// The seed's models train as the seed did (Keras defaults: Adam 1e-3, batch 32, constant rate;
    /// MAE; 5 or 10 epochs; no augmentation). PepLab's model: ln P_t with MSE, 15 epochs of cosine
    /// decay to a calibrated end, each frame in a random one of the 8 symmetries of the square
    /// (exact symmetries of the PEP, so 8 times the distinct training frames for free).
    /// </summary>
    public static Recipe For(string model) => model switch
    {
        Architectures.SeedStarter => new Recipe(5, 32, 1e-3, LossKind.Mae, Schedule.None, null, AugmentKind.None),
        Architectures.SeedDeep => new Recipe(10, 32, 1e-3, LossKind.Mae, Schedule.None, null, AugmentKind.None),
        Architectures.PepLab => new Recipe(15, 32, 2e-3, LossKind.Mse, Schedule.Cosine, null, AugmentKind.D4),
        _ => new Recipe(10, 64, 1e-3, LossKind.Mse, Schedule.Cosine, null, AugmentKind.None),
    };
}

/// <summary>Everything <c>pep train</c> takes.</summary>
public sealed record TrainRequest
{
    public required string Dataset { get; init; }
    public required string Out { get; init; }
    public string? Model { get; init; }
    public string? Layers { get; init; }
    public InputEncoding? Encoding { get; init; }
    public TargetTransform? Target { get; init; }
    public Head Head { get; init; } = Head.Point;
    public int? Epochs { get; init; }
    public int? Batch { get; init; }
    public double? LearningRate { get; init; }
    public LossKind? Loss { get; init; }
    public double HuberDelta { get; init; } = 1.0;
    public Schedule? Schedule { get; init; }
    public int? Patience { get; init; }
    public bool RestoreBest { get; init; } = true;
    public SplitOptions Split { get; init; } = new();
    public ValueFilter? Densities { get; init; }
    public ValueFilter? Tumbles { get; init; }
    /// <summary>On-the-fly augmentation; null: the model's recipe.</summary>
    public AugmentKind? Augment { get; init; }
    /// <summary>Train and validate only on frames after each run's steady-state start (Chodera's t0 of the weighted mean cluster size).</summary>
    public bool Steady { get; init; }
    /// <summary>Files analysed at once for <see cref="Steady"/> (0 = all cores).</summary>
    public int SteadyJobs { get; init; }
    public int ShuffleBuffer { get; init; } = 2048;
    public int BlockFrames { get; init; } = 64;
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; }
    public string Device { get; init; } = "auto";
    public bool Overwrite { get; init; }
}

/// <summary>A training job with its data opened and split, ready to train.</summary>
public sealed record PreparedTraining(
    TrainRequest Request, ModelConfig Config, TrainOptions Options, string Folder, TrajectorySet Data, int Nx, int Ny,
    IReadOnlyList<LayerShape> Shapes, TorchSharp.torch.Device Device, int Threads, SplitResult Split, FrameSet Train, FrameSet Validation,
    IReadOnlyDictionary<int, int>? SteadyStarts);

/// <summary>What <see cref="TrainingJob.Run"/> produced.</summary>
public sealed record TrainResult(string Folder, ModelDocument Document, TrainingOutcome Outcome, Evaluation Validation);

/// <summary>Callbacks for the command line while a job runs.</summary>
public sealed class JobLog
{
    public Action<string> Info { get; init; } = _ => { };
    public Action<string> Warning { get; init; } = _ => { };
    public TrainingProgress? Training { get; init; }
    /// <summary>Steady-state analysis progress: (frames done, frames in all).</summary>
    public Action<long, long>? Steady { get; init; }
}

/// <summary>
/// <c>pep train</c> as a library call: opens and splits the data set, builds the model, trains,
/// and writes the model folder (model.json, weights.bin, history.csv, and the validation's
/// predictions.csv, per_tumble.csv, runs.csv).
/// </summary>
public static class TrainingJob
{
    public static (ModelConfig Config, Recipe Recipe) ResolveModel(TrainRequest r)
    {
        var config = Architectures.Resolve(r.Model, r.Layers, r.Encoding, r.Target, r.Head);
        var recipe = Recipe.For(config.Name);
        if (r.Head == Head.Gaussian) recipe = recipe with { Loss = LossKind.Nll };
        return (config, recipe);
    }

    /// <summary>Opens and splits the data (and finds steady-state starts); checks every setting. Nothing is written.</summary>
    public static PreparedTraining Prepare(TrainRequest r, JobLog? log = null, CancellationToken cancellation = default)
    {
        log ??= new JobLog();
        var (config, recipe) = ResolveModel(r);
        var options = new TrainOptions
        {
            Epochs = r.Epochs ?? recipe.Epochs,
            BatchSize = r.Batch ?? recipe.Batch,
            LearningRate = r.LearningRate ?? recipe.LearningRate,
            Loss = r.Loss ?? recipe.Loss,
            HuberDelta = r.HuberDelta,
            Schedule = r.Schedule ?? recipe.Schedule,
            Patience = r.Patience ?? recipe.Patience,
            RestoreBest = r.RestoreBest,
            Seed = r.Seed,
            ShuffleBuffer = r.ShuffleBuffer,
            BlockFrames = r.BlockFrames,
            Augment = Augmentation.Create(r.Augment ?? recipe.Augment),
        }.Validate();
        r.Split.Validate();

        string folder = Path.GetFullPath(r.Out);
        if (File.Exists(folder)) throw new PepLabInputException(r.Out, "is a file; --out needs a folder");
        if (File.Exists(Path.Combine(folder, ModelFile.JsonName)) && !r.Overwrite)
            throw new PepLabInputException(r.Out, "already holds a model (use --overwrite to replace it)");

        var data = TrajectorySet.Open(r.Dataset, r.Densities, r.Tumbles);
        data.RequireTrainable(r.Dataset);
        var (nx, ny) = data.Lattice(r.Dataset);
        var shapes = config.Shapes(nx, ny);
        var device = TorchRuntime.ResolveDevice(r.Device);
        int threads = TorchRuntime.SetThreads(r.Threads);

        var split = Splitter.Split(data, r.Split with { Seed = r.Split.Seed == new SplitOptions().Seed ? r.Seed : r.Split.Seed });
        var train = split.Train;
        var validation = split.Validation;
        IReadOnlyDictionary<int, int>? steady = null;
        if (r.Steady)
        {
            log.Info($"steady state: cluster statistics of {data.Runs.Count} runs ({data.TotalFrames} frames) and Chodera's t0 of the weighted mean cluster size...");
            long done = 0;
            steady = SteadyStart.Find(data, r.SteadyJobs == 0 ? Environment.ProcessorCount : r.SteadyJobs,
                framesDone: n => log.Steady?.Invoke(Interlocked.Add(ref done, n), data.TotalFrames), cancellation: cancellation);
            var starts = steady;
            train = train.From(x => starts[x.Id]);
            validation = validation.From(x => starts[x.Id]);
            log.Info($"steady state: t0 from {steady.Values.Min()} to {steady.Values.Max()} frames (median {Median(steady.Values)}); " +
                     $"{train.TotalFrames} training and {validation.TotalFrames} validation frames remain");
            if (train.IsEmpty || validation.IsEmpty)
                throw new PepLabInputException("--steady", "leaves no training or no validation frames after the steady-state start");
        }
        foreach (var w in split.Warnings) log.Warning(w);
        if (train.Tumbles.Count < 2)
            throw new PepLabInputException(r.Dataset, "the training frames hold a single P_t after the split; training needs at least two");

        log.Info($"data: {data.Runs.Count} runs, {data.TotalFrames} frames of {nx}x{ny}, {data.Tumbles.Count} P_t, {data.Densities.Count} densit{(data.Densities.Count == 1 ? "y" : "ies")}");
        log.Info($"split: {split.Description}; {train.TotalFrames} training and {validation.TotalFrames} validation frames");
        log.Info($"model: {config.Name}: {config.Layers}");
        log.Info($"       encoding {LearnNames.Of(config.Encoding)}, target {LearnNames.Of(config.Target)}, {shapes.Sum(s => s.Trainable):N0} parameters, receptive field {ReceptiveField(shapes)}");
        log.Info($"train: {options.Epochs} epochs, batch {options.BatchSize}, Adam lr {Num(options.LearningRate)}, schedule {TrainOptions.Name(options.Schedule)}, " +
                 $"loss {TrainOptions.Name(options.Loss)}{(options.Patience is { } p ? $", early stop after {p} epochs without improvement" : "")}, " +
                 $"augment {Augmentation.Name(r.Augment ?? recipe.Augment)}, seed {r.Seed}, {threads} thread(s) on {device.type.ToString().ToLowerInvariant()}");

        return new PreparedTraining(r, config, options, folder, data, nx, ny, shapes, device, threads, split, train, validation, steady);
    }

    /// <summary>Prepares and trains.</summary>
    public static TrainResult Run(TrainRequest r, JobLog? log = null, CancellationToken cancellation = default) =>
        Execute(Prepare(r, log, cancellation), log, cancellation);

    /// <summary>Trains a prepared job and writes the model folder.</summary>
    public static TrainResult Execute(PreparedTraining prepared, JobLog? log = null, CancellationToken cancellation = default)
    {
        log ??= new JobLog();
        var (r, config, options, folder, data, nx, ny, shapes, device, threads, split, train, validation, steady) = prepared;
        TorchRuntime.Seed(r.Seed);
        using var network = new Network(config, nx, ny);
        bool created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        // Replacing a model (--overwrite): its files go first, so the folder never mixes two models.
        foreach (var name in ModelFiles)
        {
            string old = Path.Combine(folder, name);
            if (File.Exists(old)) File.Delete(old);
        }
        var written = new List<string>();
        try
        {
            var history = new List<EpochRecord>();
            var progress = new TrainingProgress
            {
                EpochStarted = log.Training?.EpochStarted,
                Batch = log.Training?.Batch,
                Validating = log.Training?.Validating,
                EpochDone = e =>
                {
                    history.Add(e);
                    Track(written, Path.Combine(folder, LearnFiles.History));
                    LearnFiles.WriteHistory(Path.Combine(folder, LearnFiles.History), history);
                    log.Training?.EpochDone?.Invoke(e);
                },
            };
            var outcome = Trainer.Train(network, train, validation, options, device, progress, cancellation);
            if (outcome.Calibration is { } calibration)
                log.Info($"calibration: the gaussian head's sigma scaled by {calibration.Scale.ToString("0.###", CultureInfo.InvariantCulture)} " +
                         $"(fitted on {calibration.Frames} training frames read as in prediction; there, every interval from 10% to 95% " +
                         $"covers within {(100 * calibration.Miss).ToString("0.#", CultureInfo.InvariantCulture)} points of its level)");
            var runsById = data.Runs.ToDictionary(x => x.Id);
            var estimates = LearnFiles.EstimateRuns(outcome.Validation, runsById, config.Target);
            var evaluation = Metrics.Evaluate(outcome.Validation.Truth, outcome.Validation.Tumble, outcome.Validation.Runs, estimates);

            var document = new ModelDocument
            {
                Name = config.Name,
                Layers = config.Layers.ToString(),
                Encoding = LearnNames.Of(config.Encoding),
                InputChannels = config.Channels,
                Target = LearnNames.Of(config.Target),
                Head = LearnNames.Of(config.Head),
                Input = new InputDocument { Nx = nx, Ny = ny, SizeAgnostic = config.SizeAgnostic },
                Calibration = outcome.Calibration is { } c ? new CalibrationDocument { SigmaScale = c.Scale, Frames = c.Frames, LargestMiss = double.IsFinite(c.Miss) ? c.Miss : null } : null,
                Parameters = shapes.Sum(s => s.Trainable),
                Weights = new WeightsDocument { File = ModelFile.WeightsName, Sha256 = "", Bytes = 0 },
                Training = new TrainingDocument
                {
                    Dataset = data.Root,
                    Runs = data.Runs.Count,
                    Frames = data.TotalFrames,
                    TrainFrames = train.TotalFrames,
                    ValFrames = validation.TotalFrames,
                    Densities = data.Densities,
                    Tumbles = data.Tumbles,
                    DensityFilter = r.Densities?.Text,
                    TumbleFilter = r.Tumbles?.Text,
                    Split = new SplitDocument
                    {
                        Kind = r.Split.Kind.ToString().ToLowerInvariant(),
                        Fraction = r.Split.Fraction,
                        Gap = r.Split.Gap,
                        Blocks = r.Split.Blocks,
                        Description = split.Description,
                        HeldOut = split.HeldOutRuns.Select(id => Path.GetRelativePath(data.Root, runsById[id].Path)).ToList(),
                        Warnings = split.Warnings,
                    },
                    Seed = r.Seed,
                    Epochs = options.Epochs,
                    EpochsRun = outcome.History.Count,
                    BestEpoch = outcome.BestEpoch,
                    StoppedEarly = outcome.StoppedEarly,
                    Batch = options.BatchSize,
                    Lr = options.LearningRate,
                    Schedule = TrainOptions.Name(options.Schedule),
                    Patience = options.Patience,
                    Loss = TrainOptions.Name(options.Loss),
                    HuberDelta = options.Loss == LossKind.Huber ? options.HuberDelta : null,
                    Augment = Augmentation.Name(r.Augment ?? Recipe.For(config.Name).Augment),
                    Steady = r.Steady,
                    SteadyStarts = steady?.ToDictionary(kv => Path.GetRelativePath(data.Root, runsById[kv.Key].Path), kv => kv.Value),
                    ShuffleBuffer = options.ShuffleBuffer,
                    Threads = threads,
                    Device = device.type.ToString().ToLowerInvariant(),
                    Seconds = Math.Round(outcome.Seconds, 2),
                },
                Metrics = new MetricsDocument
                {
                    ValLoss = outcome.History.First(h => h.Epoch == outcome.BestEpoch).ValLoss,
                    ValPearson = evaluation.Pearson,
                    ValPearsonLog = evaluation.PearsonLog,
                    ValR2 = evaluation.R2,
                    ValMae = evaluation.Mae,
                    ValOverlapRatio = evaluation.OverlapRatio,
                    ValWorstMedianRelativeError = evaluation.WorstMedianRelativeError,
                },
            };
            foreach (var name in new[] { ModelFile.WeightsName, ModelFile.JsonName, LearnFiles.Predictions, LearnFiles.PerTumble, LearnFiles.Runs })
                Track(written, Path.Combine(folder, name));
            LearnFiles.WritePredictions(Path.Combine(folder, LearnFiles.Predictions), outcome.Validation, runsById);
            LearnFiles.WritePerTumble(Path.Combine(folder, LearnFiles.PerTumble), evaluation.PerTumble);
            LearnFiles.WriteRuns(Path.Combine(folder, LearnFiles.Runs), evaluation.RunEstimates);
            document = ModelFile.Save(folder, network, document);
            return new TrainResult(folder, document, outcome, evaluation);
        }
        catch
        {
            // Leave nothing half done: remove what this run wrote (and the folder if it made it).
            foreach (var f in written)
                if (File.Exists(f)) File.Delete(f);
            if (created && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            throw;
        }
    }

    /// <summary>The files of a model folder that <c>pep train</c> writes.</summary>
    public static readonly string[] ModelFiles =
        [ModelFile.JsonName, ModelFile.WeightsName, LearnFiles.History, LearnFiles.Predictions, LearnFiles.PerTumble, LearnFiles.Runs];

    private static void Track(List<string> written, string path)
    {
        if (!written.Contains(path)) written.Add(path);
    }

    public static string ReceptiveField(IReadOnlyList<LayerShape> shapes)
    {
        var lastSpatial = shapes.LastOrDefault(s => s.ReceptiveField is not null);
        return lastSpatial is null ? "1 site" : $"{lastSpatial.ReceptiveField} x {lastSpatial.ReceptiveField} sites";
    }

    private static int Median(IEnumerable<int> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Num(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
