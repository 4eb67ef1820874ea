using System.Globalization;
using PepLab.Analyse;
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
    /// <summary>Fit a <see cref="BiasMap"/> on the training frames after training (<c>--calibrate bias</c>, the default).</summary>
    public bool CalibrateBias { get; init; } = true;
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
    /// <summary>
    /// Continue the interrupted training in <see cref="Out"/> from its checkpoint (settings must match),
    /// reuse a finished model of the same settings, or start afresh when the folder holds neither.
    /// </summary>
    public bool Resume { get; init; }
}

/// <summary>A training job with its data opened and split, ready to train.</summary>
public sealed record PreparedTraining(
    TrainRequest Request, ModelConfig Config, TrainOptions Options, string Folder, TrajectorySet Data, int Nx, int Ny,
    IReadOnlyList<LayerShape> Shapes, TorchSharp.torch.Device Device, int Threads, SplitResult Split, FrameSet Train, FrameSet Validation,
    IReadOnlyDictionary<int, int>? SteadyStarts);

/// <summary>What <see cref="TrainingJob.Run"/> produced.</summary>
public sealed record TrainResult(string Folder, ModelDocument Document, TrainingOutcome Outcome, Evaluation Validation)
{
    /// <summary>What <c>pep train --json</c> prints: the folder, model.json's document and the validation's numbers.</summary>
    public TrainingSummary Summary() => new(Folder, Document, Validation);
}

/// <summary>A finished training: where the model is, its model.json, and the validation's evaluation.</summary>
public sealed record TrainingSummary(string Folder, ModelDocument Model, Evaluation Validation);

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

    /// <summary>
    /// Checks every setting of <paramref name="r"/> that needs no data (model, training options,
    /// split, threads) and resolves them; nothing is read or written. <see cref="Prepare"/> starts with
    /// it; a caller that does more first (an experiment) runs it before creating anything.
    /// </summary>
    public static (ModelConfig Config, Recipe Recipe, TrainOptions Options) CheckSettings(TrainRequest r)
    {
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
            CalibrateBias = r.CalibrateBias,
            Seed = r.Seed,
            ShuffleBuffer = r.ShuffleBuffer,
            BlockFrames = r.BlockFrames,
            Augment = Augmentation.Create(r.Augment ?? recipe.Augment),
        }.Validate();
        Trainer.CheckLoss(config, options);
        r.Split.Validate();
        TorchRuntime.CheckThreads(r.Threads);
        return (config, recipe, options);
    }

    /// <summary>Opens and splits the data (and finds steady-state starts); checks every setting. Nothing is written.</summary>
    public static PreparedTraining Prepare(TrainRequest r, JobLog? log = null, CancellationToken cancellation = default)
    {
        log ??= new JobLog();
        var (config, recipe, options) = CheckSettings(r);

        string folder = Path.GetFullPath(r.Out);
        if (File.Exists(folder)) throw new PepLabInputException(r.Out, "is a file; --out needs a folder");
        if (File.Exists(Path.Combine(folder, ModelFile.JsonName)) && !r.Overwrite && !r.Resume)
            throw new PepLabInputException(r.Out, "already holds a model (use --overwrite to replace it)");
        if (File.Exists(Path.Combine(folder, TrainingCheckpoint.FileName)) && !r.Overwrite && !r.Resume)
            throw new PepLabInputException(r.Out, "holds an interrupted training: continue it with --resume, or start again with --overwrite");

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
            log.Info($"steady state: t0 from {steady.Values.Min()} to {steady.Values.Max()} frames (median {SampleStatistics.Median(steady.Values.Select(v => (double)v).ToArray())}); " +
                     $"{train.TotalFrames} training and {validation.TotalFrames} validation frames remain");
            if (train.IsEmpty || validation.IsEmpty)
                throw new PepLabInputException("steady", "leaves no training or no validation frames after the steady-state start");
        }
        foreach (var w in split.Warnings) log.Warning(w);
        if (train.Tumbles.Count < 2)
            throw new PepLabInputException(r.Dataset, "the training frames hold a single P_t after the split; training needs at least two");

        log.Info($"data: {data.Runs.Count} runs, {data.TotalFrames} frames of {nx}x{ny}, {data.Tumbles.Count} P_t, {data.Densities.Count} densit{(data.Densities.Count == 1 ? "y" : "ies")}");
        log.Info($"split: {split.Description}; {train.TotalFrames} training and {validation.TotalFrames} validation frames");
        log.Info($"model: {config.Name}: {config.Layers}");
        log.Info($"       encoding {ModelSettingNames.Of(config.Encoding)}, target {ModelSettingNames.Of(config.Target)}, {shapes.Sum(s => s.Trainable):N0} parameters, receptive field {ReceptiveField(shapes)}");
        log.Info($"train: {options.Epochs} epochs, batch {options.BatchSize}, Adam lr {Num(options.LearningRate)}, schedule {TrainOptions.Name(options.Schedule)}, " +
                 $"loss {TrainOptions.Name(options.Loss)}{(options.Patience is { } p ? $", early stop after {p} epochs without improvement" : "")}, " +
                 $"augment {Augmentation.Name(r.Augment ?? recipe.Augment)}, seed {r.Seed}, {threads} thread(s) on {device.type.ToString().ToLowerInvariant()}");

        return new PreparedTraining(r, config, options, folder, data, nx, ny, shapes, device, threads, split, train, validation, steady);
    }

    /// <summary>Prepares and trains.</summary>
    public static TrainResult Run(TrainRequest r, JobLog? log = null, CancellationToken cancellation = default) =>
        Execute(Prepare(r, log, cancellation), log, cancellation);

    /// <summary>The lock file a training holds in its model folder for as long as it runs.</summary>
    public const string LockFile = ".train.lock";

    /// <summary>True when <paramref name="folder"/> holds a finished model and no interrupted training.</summary>
    public static bool IsFinished(string folder) =>
        File.Exists(Path.Combine(folder, ModelFile.JsonName)) && !File.Exists(Path.Combine(folder, TrainingCheckpoint.FileName));

    /// <summary>
    /// A training as one SLURM job running <paramref name="command"/> (which must resume, so that a job
    /// stopped by its time limit continues when submitted again); nothing is left when the folder
    /// already holds the finished model. Checks the settings and the data first.
    /// </summary>
    public static SlurmStage SlurmStage(TrainRequest request, string command)
    {
        var (config, _, options) = CheckSettings(request);
        var data = TrajectorySet.Open(request.Dataset, request.Densities, request.Tumbles);
        return new SlurmStage
        {
            Name = "train", Command = command, Done = IsFinished(request.Out), Cpus = Math.Max(1, request.Threads), Gpu = true,
            Description = $"training {config.Name} for {options.Epochs} epochs on {data.Runs.Count} runs of {request.Dataset} into {request.Out}",
        };
    }

    /// <summary>
    /// Trains a prepared job and writes the model folder, holding the folder's lock throughout (a
    /// second training of the same folder is refused). Every epoch ends with <c>checkpoint.bin</c> and
    /// <c>history.csv</c> saved; a run stopped at any moment keeps them, and
    /// <see cref="TrainRequest.Resume"/> continues from them. With <see cref="TrainRequest.Resume"/>,
    /// a folder that already holds a model trained with the same settings is reused as it is.
    /// </summary>
    public static TrainResult Execute(PreparedTraining prepared, JobLog? log = null, CancellationToken cancellation = default)
    {
        log ??= new JobLog();
        string folder = prepared.Folder;
        bool created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        using var folderLock = FolderLock.Acquire(Path.Combine(folder, LockFile), prepared.Request.Out, "training a model in this folder");
        // Under the lock no other writer is here: temporaries left by a killed run are abandoned.
        AtomicFile.RemoveAbandoned(folder);
        var settings = SettingsOf(prepared);
        try
        {
            var start = Begin(prepared, settings, log);
            if (start.Reuse is { } reused) return reused;
            TorchRuntime.Seed(prepared.Request.Seed);
            using var network = new Network(prepared.Config, prepared.Nx, prepared.Ny);
            var outcome = TrainWithCheckpoints(prepared, network, settings, start.Checkpoint, log, cancellation);
            return WriteModel(prepared, network, settings, outcome, log);
        }
        catch (Exception) when (created && !File.Exists(Path.Combine(folder, TrainingCheckpoint.FileName)))
        {
            // Refused (bad options, a damaged data file), failed or stopped before any epoch was kept:
            // there is nothing to resume, so leave no folder behind.
            folderLock.Dispose();
            AtomicFile.TryDelete(folderLock.Path);
            if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            throw;
        }
    }

    /// <summary>How a training begins: from scratch, from a checkpoint, or not at all (a finished model reused).</summary>
    private sealed record Start(TrainingCheckpoint? Checkpoint, TrainResult? Reuse);

    /// <summary>Decides from the folder's state how to begin; clears the folder for a fresh start.</summary>
    private static Start Begin(PreparedTraining p, IReadOnlyDictionary<string, string> settings, JobLog log)
    {
        var r = p.Request;
        string json = Path.Combine(p.Folder, ModelFile.JsonName), saved = Path.Combine(p.Folder, TrainingCheckpoint.FileName);
        if (File.Exists(json))
        {
            if (r.Resume)
            {
                using var loaded = ModelFile.Load(p.Folder, p.Device);
                string? changed = Difference(loaded.Document.Training?.Settings, settings);
                if (changed is null)
                {
                    log.Info($"{r.Out} already holds this model, trained with the same settings: reused");
                    return new Start(null, Reuse(p, loaded));
                }
                if (!r.Overwrite) throw new PepLabInputException(r.Out, $"holds a model trained with other settings ({changed}); use --overwrite to replace it");
                log.Info($"{r.Out} holds a model trained with other settings ({changed}): training again");
            }
            else if (!r.Overwrite) throw new PepLabInputException(r.Out, "already holds a model (use --overwrite to replace it)");
        }
        else if (File.Exists(saved))
        {
            var checkpoint = TrainingCheckpoint.Read(saved);
            string? changed = Difference(checkpoint.Settings, settings);
            if (r.Resume && changed is null)
            {
                log.Info($"resuming after epoch {checkpoint.Epoch} of {p.Options.Epochs} (from {TrainingCheckpoint.FileName})");
                return new Start(checkpoint, null);
            }
            if (!r.Overwrite)
                throw new PepLabInputException(r.Out, changed is null || !r.Resume
                    ? $"holds an interrupted training ({checkpoint.Epoch} of {p.Options.Epochs} epochs done): continue it with --resume, or start again with --overwrite"
                    : $"holds an interrupted training with other settings ({changed}): start again with --overwrite");
        }
        // A fresh start: the old model's files go first, so the folder never mixes two models.
        foreach (var name in ModelFiles.Append(TrainingCheckpoint.FileName)) AtomicFile.TryDelete(Path.Combine(p.Folder, name));
        return new Start(null, null);
    }

    /// <summary>The first setting that differs (for messages), or null when none does.</summary>
    private static string? Difference(IReadOnlyDictionary<string, string>? saved, IReadOnlyDictionary<string, string> now)
    {
        if (saved is null) return "the folder does not record its settings";
        foreach (var (key, value) in now)
            if (!saved.TryGetValue(key, out var old) || old != value)
                return $"{key} was {(old is null ? "not set" : $"'{old}'")}, now '{value}'";
        foreach (var key in saved.Keys)
            if (!now.ContainsKey(key)) return $"{key} was '{saved[key]}', now not set";
        return null;
    }

    /// <summary>
    /// The settings that decide what a training produces (threads, device and output options aside),
    /// after the model's recipe filled what the request left open: a resumed run must have the same,
    /// and a finished model is reused only when they are the same.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SettingsOf(PreparedTraining p)
    {
        var r = p.Request;
        var o = p.Options;
        string N(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        string I(long x) => x.ToString(CultureInfo.InvariantCulture);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dataset"] = p.Data.Root,
            ["model"] = p.Config.Name,
            ["layers"] = p.Config.Layers.ToString(),
            ["encoding"] = ModelSettingNames.Of(p.Config.Encoding),
            ["target"] = ModelSettingNames.Of(p.Config.Target),
            ["head"] = ModelSettingNames.Of(p.Config.Head),
            ["epochs"] = I(o.Epochs),
            ["batch"] = I(o.BatchSize),
            ["lr"] = N(o.LearningRate),
            ["loss"] = TrainOptions.Name(o.Loss),
            ["huber_delta"] = N(o.HuberDelta),
            ["schedule"] = TrainOptions.Name(o.Schedule),
            ["patience"] = o.Patience is { } patience ? I(patience) : "none",
            ["keep_best"] = o.RestoreBest ? "yes" : "no",
            ["calibrate"] = TrainOptions.CalibrationName(o.CalibrateBias),
            ["split"] = $"{r.Split.Kind.ToString().ToLowerInvariant()} fraction {N(r.Split.Fraction)} gap {I(r.Split.Gap)} blocks {I(r.Split.Blocks)} " +
                        $"hold-out {(r.Split.HoldOutReplica is { } h ? I(h) : "none")} seed {r.Split.Seed}" +
                        (r.Split.SetAside.Count > 0 ? $" set-aside {string.Join(",", r.Split.SetAside)}" : ""),
            ["densities"] = r.Densities?.Text ?? "all",
            ["tumbles"] = r.Tumbles?.Text ?? "all",
            ["augment"] = Augmentation.Name(r.Augment ?? Recipe.For(p.Config.Name).Augment),
            ["steady"] = r.Steady ? "yes" : "no",
            ["shuffle_buffer"] = I(o.ShuffleBuffer),
            ["block"] = I(o.BlockFrames),
            ["seed"] = r.Seed.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Trains (or continues), saving a checkpoint and history.csv at the end of every epoch.</summary>
    private static TrainingOutcome TrainWithCheckpoints(PreparedTraining p, Network network, IReadOnlyDictionary<string, string> settings,
        TrainingCheckpoint? resume, JobLog log, CancellationToken cancellation)
    {
        string history = Path.Combine(p.Folder, LearnFiles.History), saved = Path.Combine(p.Folder, TrainingCheckpoint.FileName);
        var progress = new TrainingProgress
        {
            EpochStarted = log.Training?.EpochStarted,
            Batch = log.Training?.Batch,
            Validating = log.Training?.Validating,
            EpochDone = log.Training?.EpochDone,
        };
        void Save(EpochEnd end)
        {
            // The checkpoint first: history.csv never runs ahead of what a resumed run starts from.
            TrainingCheckpoint.Save(saved, settings, end);
            LearnFiles.WriteHistory(history, end.State.History);
        }
        var outcome = Trainer.Train(network, p.Train, p.Validation, p.Options, p.Device, progress, cancellation, resume, Save);
        if (outcome.Bias is { } bias)
            log.Info($"calibration: the output mapped onto the truth at {bias.Raw.Count} knot(s), fitted on {bias.Frames} training frames " +
                     $"(largest shift {bias.Raw.Select((x, i) => Math.Abs(bias.Mapped[i] - x)).Max().ToString("0.####", CultureInfo.InvariantCulture)} in target units)");
        if (outcome.Calibration is { } calibration)
            log.Info($"calibration: the gaussian head's sigma scaled by {calibration.Scale.ToString("0.###", CultureInfo.InvariantCulture)} " +
                     $"(fitted on {calibration.Frames} training frames read as in prediction; there, every interval from 10% to 95% " +
                     $"covers within {(100 * calibration.Miss).ToString("0.#", CultureInfo.InvariantCulture)} points of its level)");
        return outcome;
    }

    /// <summary>Writes the validation files, the weights and model.json (last: it marks the model complete), then drops the checkpoint.</summary>
    private static TrainResult WriteModel(PreparedTraining p, Network network, IReadOnlyDictionary<string, string> settings, TrainingOutcome outcome, JobLog log)
    {
        string folder = p.Folder;
        var runsById = p.Data.Runs.ToDictionary(x => x.Id);
        var evaluation = Evaluate(p, outcome.Validation, runsById);
        LearnFiles.WriteHistory(Path.Combine(folder, LearnFiles.History), outcome.History);
        LearnFiles.WritePredictions(Path.Combine(folder, LearnFiles.Predictions), outcome.Validation, runsById);
        LearnFiles.WritePerTumble(Path.Combine(folder, LearnFiles.PerTumble), evaluation.PerTumble);
        LearnFiles.WriteRuns(Path.Combine(folder, LearnFiles.Runs), evaluation.RunEstimates);
        var document = ModelFile.Save(folder, network, DocumentOf(p, settings, outcome, evaluation, runsById));
        AtomicFile.TryDelete(Path.Combine(folder, TrainingCheckpoint.FileName));
        return new TrainResult(folder, document, outcome, evaluation);
    }

    private static Evaluation Evaluate(PreparedTraining p, Predictions validation, IReadOnlyDictionary<int, RunEntry> runsById)
    {
        var estimates = LearnFiles.EstimateRuns(validation, runsById, p.Config.Target);
        return Metrics.Evaluate(validation.Truth, validation.Tumble, validation.Runs, estimates);
    }

    /// <summary>A finished model of the same settings as the result of this job: its history, and its predictions of the validation frames.</summary>
    private static TrainResult Reuse(PreparedTraining p, LoadedModel model)
    {
        var doc = model.Document;
        var training = doc.Training!;
        string historyPath = Path.Combine(p.Folder, LearnFiles.History);
        if (!File.Exists(historyPath)) throw new PepLabInputException(historyPath, "is missing (the model's training history)");
        var history = File.ReadLines(historyPath).Skip(1).Where(l => l.Length > 0).Select(l => EpochRecord.Parse(l, historyPath)).ToList();
        var validation = Trainer.Predict(model.Network, p.Validation, p.Device, Math.Max(p.Options.BatchSize, 128), p.Options.Open);
        var outcome = new TrainingOutcome
        {
            Calibration = doc.Calibration is { SigmaScale: { } scale } c ? new SigmaCalibration(scale, c.Frames ?? 0, c.LargestMiss ?? double.NaN) : null,
            Bias = model.Network.Bias,
            History = history,
            BestEpoch = training.BestEpoch,
            StoppedEarly = training.StoppedEarly,
            Validation = validation,
            Seconds = training.Seconds,
        };
        return new TrainResult(p.Folder, doc, outcome, Evaluate(p, validation, p.Data.Runs.ToDictionary(x => x.Id)));
    }

    /// <summary>The calibration section of model.json; null when nothing was fitted.</summary>
    private static CalibrationDocument? CalibrationOf(TrainingOutcome outcome)
    {
        if (outcome.Calibration is null && outcome.Bias is null) return null;
        var c = outcome.Calibration;
        return new CalibrationDocument
        {
            SigmaScale = c?.Scale,
            Frames = c?.Frames,
            LargestMiss = c is not null && double.IsFinite(c.Miss) ? c.Miss : null,
            Method = c is null ? null : CalibrationDocument.SigmaMethod,
            Bias = outcome.Bias is { } b ? BiasDocument.Of(b) : null,
        };
    }

    /// <summary>model.json of a trained network (the weights' hash is filled in when they are saved).</summary>
    private static ModelDocument DocumentOf(PreparedTraining p, IReadOnlyDictionary<string, string> settings, TrainingOutcome outcome,
        Evaluation evaluation, IReadOnlyDictionary<int, RunEntry> runsById)
    {
        var config = p.Config;
        return new ModelDocument
        {
            Provenance = Provenance.Current(),
            Name = config.Name,
            Layers = config.Layers.ToString(),
            Encoding = ModelSettingNames.Of(config.Encoding),
            InputChannels = config.Channels,
            Target = ModelSettingNames.Of(config.Target),
            Head = ModelSettingNames.Of(config.Head),
            Input = new InputDocument { Nx = p.Nx, Ny = p.Ny, SizeAgnostic = config.SizeAgnostic },
            Calibration = CalibrationOf(outcome),
            Parameters = p.Shapes.Sum(s => s.Trainable),
            Weights = new WeightsDocument { File = ModelFile.WeightsName, Sha256 = "", Bytes = 0 },
            Training = TrainingDocumentOf(p, settings, outcome, runsById),
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
    }

    private static TrainingDocument TrainingDocumentOf(PreparedTraining p, IReadOnlyDictionary<string, string> settings, TrainingOutcome outcome,
        IReadOnlyDictionary<int, RunEntry> runsById)
    {
        var (r, options, data) = (p.Request, p.Options, p.Data);
        return new TrainingDocument
        {
            Dataset = data.Root,
            DataHash = ContentHash.OfFiles(data.Root, data.Runs.Select(x => x.Path)),
            Runs = data.Runs.Count,
            Frames = data.TotalFrames,
            TrainFrames = p.Train.TotalFrames,
            ValFrames = p.Validation.TotalFrames,
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
                Description = p.Split.Description,
                HeldOut = p.Split.HeldOutRuns.Select(id => Path.GetRelativePath(data.Root, runsById[id].Path)).ToList(),
                Warnings = p.Split.Warnings,
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
            Augment = settings["augment"],
            Steady = r.Steady,
            SteadyStarts = p.SteadyStarts?.ToDictionary(kv => Path.GetRelativePath(data.Root, runsById[kv.Key].Path), kv => kv.Value),
            ShuffleBuffer = options.ShuffleBuffer,
            Threads = p.Threads,
            Device = p.Device.type.ToString().ToLowerInvariant(),
            Seconds = Math.Round(outcome.Seconds, 2),
            Settings = settings,
        };
    }

    /// <summary>The files of a model folder that <c>pep train</c> writes.</summary>
    public static readonly string[] ModelFiles =
        [ModelFile.JsonName, ModelFile.WeightsName, LearnFiles.History, LearnFiles.Predictions, LearnFiles.PerTumble, LearnFiles.Runs];

    public static string ReceptiveField(IReadOnlyList<LayerShape> shapes)
    {
        var lastSpatial = shapes.LastOrDefault(s => s.ReceptiveField is not null);
        return lastSpatial is null ? "1 site" : $"{lastSpatial.ReceptiveField} x {lastSpatial.ReceptiveField} sites";
    }

    private static string Num(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
