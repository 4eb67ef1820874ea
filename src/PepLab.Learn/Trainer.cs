using System.Diagnostics;
using System.Globalization;
using PepLab.Analyse;
using PepLab.Core;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PepLab.Learn;

/// <summary>Training loss.</summary>
public enum LossKind
{
    Mse,
    Mae,
    Huber,
    /// <summary>Gaussian negative log-likelihood (the gaussian head).</summary>
    Nll,
}

/// <summary>Learning-rate schedule.</summary>
public enum Schedule
{
    /// <summary>Constant learning rate (the seed's Keras default).</summary>
    None,
    /// <summary>Cosine decay per step from the learning rate to 1% of it at the last epoch.</summary>
    Cosine,
    /// <summary>Halve the learning rate when the validation loss has not improved for 2 epochs.</summary>
    Plateau,
}

/// <summary>Training settings.</summary>
public sealed record TrainOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-3;
    public LossKind Loss { get; init; } = LossKind.Mse;
    public double HuberDelta { get; init; } = 1.0;
    public Schedule Schedule { get; init; } = Schedule.None;
    /// <summary>Stop when the validation loss has not improved for this many epochs; null: never.</summary>
    public int? Patience { get; init; }
    /// <summary>At the end, go back to the weights of the epoch with the lowest validation loss.</summary>
    public bool RestoreBest { get; init; } = true;
    /// <summary>At the end, fit a <see cref="BiasMap"/> of the output onto the truth on the training frames (see <see cref="Trainer.CalibrateBias"/>).</summary>
    public bool CalibrateBias { get; init; } = true;
    public ulong Seed { get; init; } = 1;
    public int ShuffleBuffer { get; init; } = 2048;
    public int BlockFrames { get; init; } = 64;
    public int Prefetch { get; init; } = 3;
    public FrameAugmenter? Augment { get; init; }
    public Func<RunEntry, PepLab.Store.IFrameSource>? Open { get; init; }
    /// <summary>Loader thread at the lowest CPU priority (see <see cref="LoaderOptions.LowPriority"/>).</summary>
    public bool LowPriorityLoader { get; init; } = true;

    public TrainOptions Validate()
    {
        if (Epochs < 1) throw new PepLabInputException("epochs", $"must be at least 1 (got {Epochs})");
        if (BatchSize < 2) throw new PepLabInputException("batchSize", $"must be at least 2 (got {BatchSize})");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new PepLabInputException("learningRate", "must be positive");
        if (!(HuberDelta > 0)) throw new PepLabInputException("huberDelta", "must be positive");
        if (Patience is < 1) throw new PepLabInputException("patience", $"must be at least 1 (got {Patience})");
        Trainer.LoaderOptionsOf(this).Validate();
        return this;
    }

    public static LossKind ParseLoss(string s) => s.Trim().ToLowerInvariant() switch
    {
        "mse" => LossKind.Mse,
        "mae" => LossKind.Mae,
        "huber" => LossKind.Huber,
        "nll" or "gaussian-nll" => LossKind.Nll,
        _ => throw new PepLabInputException("loss", $"unknown loss '{s}' (mse, mae, huber, nll)"),
    };

    public static Schedule ParseSchedule(string s) => s.Trim().ToLowerInvariant() switch
    {
        "none" or "constant" => Schedule.None,
        "cosine" => Schedule.Cosine,
        "plateau" => Schedule.Plateau,
        _ => throw new PepLabInputException("schedule", $"unknown schedule '{s}' (none, cosine, plateau)"),
    };

    /// <summary><c>--calibrate</c>: bias (fit a <see cref="BiasMap"/>, the default) or none.</summary>
    public static bool ParseCalibration(string s) => s.Trim().ToLowerInvariant() switch
    {
        BiasCalibrationName => true,
        NoCalibrationName => false,
        _ => throw new PepLabInputException("calibrate", $"unknown calibration '{s}' (bias, none)"),
    };

    public static string CalibrationName(bool bias) => bias ? BiasCalibrationName : NoCalibrationName;

    private const string BiasCalibrationName = "bias", NoCalibrationName = "none";

    public static string Name(LossKind l) => l.ToString().ToLowerInvariant();
    public static string Name(Schedule s) => s.ToString().ToLowerInvariant();
}

/// <summary>One epoch of training, as history.csv records it.</summary>
public sealed record EpochRecord
{
    public required int Epoch { get; init; }
    public required double TrainLoss { get; init; }
    public required double ValLoss { get; init; }
    public required double ValPearson { get; init; }
    public required double ValMae { get; init; }
    public required double LearningRate { get; init; }
    /// <summary>Wall seconds of the epoch (training and validation).</summary>
    public required double Seconds { get; init; }
    /// <summary>Training frames per second (the training pass alone).</summary>
    public required double SamplesPerSecond { get; init; }

    public const string CsvHeader = "epoch,train_loss,val_loss,val_r,val_mae,lr,seconds,samples_per_s";

    public string ToCsv() => string.Join(',',
        Epoch.ToString(CultureInfo.InvariantCulture), G(TrainLoss), G(ValLoss), G(ValPearson), G(ValMae), G(LearningRate), G(Seconds), G(SamplesPerSecond));

    private static string G(double x) => Csv.Num(x);

    /// <summary>Reads a line written by <see cref="ToCsv"/> (values round-trip exactly); <paramref name="subject"/> names the file in errors.</summary>
    public static EpochRecord Parse(string line, string subject)
    {
        var cells = line.Split(',');
        double D(int i) => cells[i].Length == 0 ? double.NaN
            : double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x
            : throw new PepLabInputException(subject, $"has '{cells[i]}' where a number belongs in the line '{line}'");
        if (cells.Length != 8 || !int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            throw new PepLabInputException(subject, $"has a line that is not '{CsvHeader}': '{line}'");
        return new EpochRecord
        {
            Epoch = epoch, TrainLoss = D(1), ValLoss = D(2), ValPearson = D(3), ValMae = D(4), LearningRate = D(5), Seconds = D(6), SamplesPerSecond = D(7),
        };
    }
}

/// <summary>Per-frame predictions of a frame set, in run and time order.</summary>
public sealed record Predictions
{
    public required int[] Runs { get; init; }
    public required int[] Frames { get; init; }
    /// <summary>True P_t of each frame (from its run's metadata).</summary>
    public required double[] Truth { get; init; }
    /// <summary>Network output in target space (the mean for a gaussian head).</summary>
    public required double[] Target { get; init; }
    /// <summary>Standard deviation in target space (gaussian head only).</summary>
    public double[]? Sigma { get; init; }
    /// <summary>Predicted P_t.</summary>
    public required double[] Tumble { get; init; }

    public int Count => Runs.Length;
}

/// <summary>The fitted factor of a gaussian head's standard deviation and the training frames it was fitted on.</summary>
/// <param name="Scale">Factor applied to the predicted σ.</param>
/// <param name="Frames">Training frames it was fitted on.</param>
/// <param name="Miss">On those frames, the largest gap between an interval's coverage and its level after scaling.</param>
public sealed record SigmaCalibration(double Scale, int Frames, double Miss);

/// <summary>What a training run produced.</summary>
public sealed record TrainingOutcome
{
    /// <summary>Gaussian head: the scale applied to its standard deviation (already in <see cref="Validation"/>).</summary>
    public SigmaCalibration? Calibration { get; init; }
    /// <summary>The map of the output onto the truth fitted on the training frames (already in <see cref="Validation"/>); null when not fitted.</summary>
    public BiasMap? Bias { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }
    public required int BestEpoch { get; init; }
    public required bool StoppedEarly { get; init; }
    /// <summary>Validation predictions of the final weights (exactly what the saved model gives).</summary>
    public required Predictions Validation { get; init; }
    public required double Seconds { get; init; }
}

/// <summary>Progress callbacks of <see cref="Trainer.Train"/>.</summary>
public sealed class TrainingProgress
{
    /// <summary>An epoch begins: (epoch, training frames).</summary>
    public Action<int, long>? EpochStarted { get; init; }
    /// <summary>Training frames done so far in the epoch.</summary>
    public Action<long>? Batch { get; init; }
    public Action<EpochRecord>? EpochDone { get; init; }
    /// <summary>Validation frames done so far.</summary>
    public Action<long, long>? Validating { get; init; }
}

/// <summary>
/// The state of a training run between two epochs, besides the network's weights and the optimiser:
/// with those, everything a checkpoint must hold to continue exactly where the run stopped. The
/// loader's and the augmentation's random generators need no state here: each epoch derives its
/// own from the seed and the epoch number.
/// </summary>
public sealed class TrainingState : IDisposable
{
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; internal set; }
    /// <summary>Optimisation steps taken (the position in the cosine schedule).</summary>
    public long Step { get; internal set; }
    public double LearningRate { get; internal set; }
    public double BestLoss { get; internal set; } = double.PositiveInfinity;
    /// <summary>Epoch with the lowest validation loss so far (0: none yet).</summary>
    public int BestEpoch { get; internal set; }
    /// <summary>Epochs since the validation loss last improved (early stopping).</summary>
    public int SinceBest { get; internal set; }
    /// <summary>Epochs since the learning rate was last halved or the loss improved (plateau schedule).</summary>
    public int SincePlateau { get; internal set; }
    public bool StoppedEarly { get; internal set; }
    /// <summary>Wall seconds of training so far, over every session of the run.</summary>
    public double Seconds { get; internal set; }
    public List<EpochRecord> History { get; } = [];
    /// <summary>Weights of <see cref="BestEpoch"/> (when the best weights are to be restored at the end).</summary>
    public Dictionary<string, Tensor>? Best { get; internal set; }

    /// <summary>True when no epoch is left: all were run, or the run stopped early.</summary>
    public bool Finished(TrainOptions options) => StoppedEarly || Epoch >= options.Epochs;

    /// <summary>Records a finished epoch: best weights, plateau halving, early stopping.</summary>
    internal void EndEpoch(EpochRecord record, Network net, optim.Optimizer optimizer, TrainOptions options)
    {
        History.Add(record);
        Epoch = record.Epoch;
        if (record.ValLoss < BestLoss)
        {
            BestLoss = record.ValLoss;
            BestEpoch = Epoch;
            SinceBest = 0;
            SincePlateau = 0;
            if (options.RestoreBest) KeepBest(net);
        }
        else
        {
            SinceBest++;
            SincePlateau++;
        }
        if (options.Schedule == Schedule.Plateau && SincePlateau >= 2)
        {
            LearningRate *= 0.5;
            Trainer.SetLearningRate(optimizer, LearningRate);
            SincePlateau = 0;
        }
        if (options.Patience is { } patience && SinceBest >= patience && Epoch < options.Epochs) StoppedEarly = true;
    }

    private void KeepBest(Network net)
    {
        DisposeBest();
        var copy = new Dictionary<string, Tensor>();
        using var _ = no_grad();
        foreach (var (name, t) in net.state_dict()) copy[name] = t.detach().clone();
        Best = copy;
    }

    private void DisposeBest()
    {
        if (Best is null) return;
        foreach (var t in Best.Values) t.Dispose();
        Best = null;
    }

    public void Dispose() => DisposeBest();
}

/// <summary>What the end of an epoch hands to whoever saves checkpoints.</summary>
public sealed record EpochEnd(Network Network, TorchSharp.Modules.OptimizerHelper Optimizer, TrainingState State);

/// <summary>The training loop: Adam, a loss, an optional schedule and early stopping on validation loss.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="net"/>: epochs of training and validation until the last epoch or an
    /// early stop, then the best weights (unless <see cref="TrainOptions.RestoreBest"/> is off), the
    /// gaussian head's calibration and the final validation predictions.
    /// </summary>
    /// <param name="net">The network, freshly initialised (or any weights, when <paramref name="resume"/> replaces them).</param>
    /// <param name="train">Training frames.</param>
    /// <param name="validation">Validation frames.</param>
    /// <param name="options">Settings.</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="progress">Progress callbacks.</param>
    /// <param name="cancellation">Stops the run between batches.</param>
    /// <param name="resume">A checkpoint to continue from: weights, optimiser, schedule, best weights, history and libtorch's generator.</param>
    /// <param name="checkpoint">Called at the end of every epoch, after <see cref="TrainingProgress.EpochDone"/>, with everything to save.</param>
    public static TrainingOutcome Train(Network net, FrameSet train, FrameSet validation, TrainOptions options, Device device,
        TrainingProgress? progress = null, CancellationToken cancellation = default, TrainingCheckpoint? resume = null,
        Action<EpochEnd>? checkpoint = null)
    {
        options.Validate();
        CheckLoss(net.Config, options);
        var clock = Stopwatch.StartNew();
        net.to(device);
        using var optimizer = optim.Adam(net.parameters(), lr: options.LearningRate);
        using var state = resume?.Restore(net, optimizer) ?? Start(net, train, options);
        double secondsBefore = state.Seconds;
        var loader = new FrameLoader(train, LoaderOptionsOf(options));
        long steps = (long)options.Epochs * loader.BatchesPerEpoch;
        while (!state.Finished(options))
        {
            cancellation.ThrowIfCancellationRequested();
            var record = Epoch(net, optimizer, loader, validation, state, steps, options, device, progress, cancellation);
            state.EndEpoch(record, net, optimizer, options);
            state.Seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            progress?.EpochDone?.Invoke(record);
            checkpoint?.Invoke(new EpochEnd(net, optimizer, state));
        }
        return Finish(net, train, validation, options, device, state, progress, cancellation, secondsBefore + clock.Elapsed.TotalSeconds);
    }

    /// <summary>Refuses a loss the model's head cannot train with.</summary>
    internal static void CheckLoss(ModelConfig config, TrainOptions options)
    {
        if (config.Head == Head.Gaussian && options.Loss != LossKind.Nll)
            throw new PepLabInputException("loss", "a gaussian head trains with --loss nll");
        if (config.Head == Head.Point && options.Loss == LossKind.Nll)
            throw new PepLabInputException("loss", "nll needs --head gaussian");
    }

    /// <summary>The state of a fresh run; the output starts at the training set's mean target.</summary>
    private static TrainingState Start(Network net, FrameSet train, TrainOptions options)
    {
        CalibrateOutput(net, train);
        return new TrainingState { LearningRate = options.LearningRate };
    }

    internal static LoaderOptions LoaderOptionsOf(TrainOptions options) => new()
    {
        BatchSize = options.BatchSize,
        BlockFrames = options.BlockFrames,
        ShuffleBuffer = options.ShuffleBuffer,
        Shuffle = true,
        Prefetch = options.Prefetch,
        Seed = options.Seed,
        Augment = options.Augment,
        Open = options.Open,
        LowPriority = options.LowPriorityLoader,
    };

    /// <summary>One epoch: a pass of training, then one of validation; returns its history record.</summary>
    private static EpochRecord Epoch(Network net, optim.Optimizer optimizer, FrameLoader loader, FrameSet validation, TrainingState state,
        long steps, TrainOptions options, Device device, TrainingProgress? progress, CancellationToken cancellation)
    {
        int epoch = state.Epoch + 1;
        var clock = Stopwatch.StartNew();
        progress?.EpochStarted?.Invoke(epoch, loader.TotalFrames);
        var (trainLoss, seen) = TrainEpoch(net, optimizer, loader, epoch, state, steps, options, device, progress, cancellation);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var (valLoss, preds) = Validate(net, validation, options, device, progress, cancellation);
        return new EpochRecord
        {
            Epoch = epoch,
            TrainLoss = trainLoss,
            ValLoss = valLoss,
            ValPearson = SampleStatistics.Pearson(preds.Truth, preds.Tumble),
            ValMae = Metrics.MeanAbsoluteError(preds.Truth, preds.Tumble),
            LearningRate = state.LearningRate,
            Seconds = clock.Elapsed.TotalSeconds,
            SamplesPerSecond = seen / Math.Max(trainSeconds, 1e-9),
        };
    }

    /// <summary>One pass over the training frames; returns the mean loss and the frames seen.</summary>
    private static (double Loss, long Seen) TrainEpoch(Network net, optim.Optimizer optimizer, FrameLoader loader, int epoch, TrainingState state,
        long steps, TrainOptions options, Device device, TrainingProgress? progress, CancellationToken cancellation)
    {
        net.train();
        double lossSum = 0;
        long seen = 0;
        foreach (var batch in loader.Epoch(epoch, cancellation))
        {
            if (batch.Count < 2)
            {
                seen += batch.Count; // a lone last frame: batch statistics need two
                continue;
            }
            if (options.Schedule == Schedule.Cosine)
            {
                state.LearningRate = options.LearningRate * (0.01 + 0.99 * 0.5 * (1 + Math.Cos(Math.PI * state.Step / Math.Max(1, steps))));
                SetLearningRate(optimizer, state.LearningRate);
            }
            lossSum += Step(net, optimizer, batch, loader.Nx, loader.Ny, options, device) * batch.Count;
            seen += batch.Count;
            state.Step++;
            progress?.Batch?.Invoke(seen);
        }
        return (lossSum / Math.Max(1, seen), seen);
    }

    /// <summary>After the last epoch: the best weights back, the gaussian head calibrated, the final validation predictions.</summary>
    private static TrainingOutcome Finish(Network net, FrameSet train, FrameSet validation, TrainOptions options, Device device, TrainingState state,
        TrainingProgress? progress, CancellationToken cancellation, double seconds)
    {
        if (options.RestoreBest && state.Best is not null && state.BestEpoch != state.History[^1].Epoch)
            net.load_state_dict(state.Best);
        net.Bias = options.CalibrateBias ? CalibrateBias(net, train, device, options.Open, cancellation: cancellation) : null;
        SigmaCalibration? calibration = null;
        if (net.Config.Head == Head.Gaussian)
        {
            calibration = CalibrateSigma(net, train, device, options.Open, cancellation: cancellation);
            net.SigmaScale = calibration.Scale;
        }
        var (_, final) = Validate(net, validation, options, device, progress, cancellation);
        return new TrainingOutcome
        {
            Calibration = calibration,
            Bias = net.Bias,
            History = state.History.ToList(),
            BestEpoch = options.RestoreBest ? state.BestEpoch : state.History[^1].Epoch,
            StoppedEarly = state.StoppedEarly,
            Validation = final,
            Seconds = seconds,
        };
    }

    /// <summary>
    /// Fits the <see cref="BiasMap"/> of the network's output onto the truth on training frames read as
    /// in prediction (eval mode, no augmentation), like <see cref="CalibrateSigma"/>. The lean it removes
    /// is a property of the trained function, and on the seed's setting it is the same on the training
    /// frames as on runs never seen (within 0.4% per P_t), while the few validation frames of a run are too
    /// correlated to measure it that well; the validation frames stay an honest check of the result.
    /// </summary>
    /// <param name="net">A trained network; its <see cref="Network.Bias"/> is ignored.</param>
    /// <param name="train">Its training frames; at most <paramref name="maxFrames"/> of them, spread evenly, are used.</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="open">Opens a run's frames (default: its file).</param>
    /// <param name="maxFrames">Most training frames to read.</param>
    /// <param name="cancellation">Stops the pass.</param>
    public static BiasMap? CalibrateBias(Network net, FrameSet train, Device device,
        Func<RunEntry, PepLab.Store.IFrameSource>? open = null, long maxFrames = 16384, CancellationToken cancellation = default)
    {
        var kept = net.Bias;
        net.Bias = null;
        try
        {
            var (_, p) = Run(net, train.Sample(maxFrames), device, 128, open, null, null, cancellation);
            return BiasMap.Fit(p.Target, p.Truth.Select(t => net.Config.Target.ToTarget(t)).ToArray());
        }
        finally
        {
            net.Bias = kept;
        }
    }

    /// <summary>
    /// Fits the scale of a gaussian head's standard deviation on training frames, read as in
    /// prediction (eval mode, no augmentation). In training the network sees augmented frames and
    /// batch-norm batch statistics, which make its errors larger than at prediction time, so the
    /// spread it learns is too wide (on held-out data its 50% intervals held 84% of frames) until
    /// rescaled. The scale is the one whose central intervals mean ± s z_p σ at the levels
    /// <see cref="CalibrationLevels"/> come closest to their nominal coverage (the largest miss is
    /// smallest); the errors have heavier tails than a Gaussian, so matching the variance alone
    /// leaves the 50% interval too wide. Uses no validation frame, so coverage measured on
    /// held-out data stays honest.
    /// </summary>
    /// <param name="net">A trained network with a gaussian head; its <see cref="Network.SigmaScale"/> is ignored.</param>
    /// <param name="train">Its training frames; at most <paramref name="maxFrames"/> of them, spread evenly, are used.</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="open">Opens a run's frames (default: its file).</param>
    /// <param name="maxFrames">Most training frames to read.</param>
    /// <param name="cancellation">Stops the pass.</param>
    public static SigmaCalibration CalibrateSigma(Network net, FrameSet train, Device device,
        Func<RunEntry, PepLab.Store.IFrameSource>? open = null, long maxFrames = 4096, CancellationToken cancellation = default)
    {
        if (net.Config.Head != Head.Gaussian) throw new InvalidOperationException("only a gaussian head has a sigma to calibrate");
        double kept = net.SigmaScale;
        net.SigmaScale = 1;
        try
        {
            var sample = train.Sample(maxFrames);
            var (_, p) = Run(net, sample, device, 128, open, null, null, cancellation);
            var z = new double[p.Count];
            for (int i = 0; i < p.Count; i++)
                z[i] = Math.Abs(net.Config.Target.ToTarget(p.Truth[i]) - p.Target[i]) / p.Sigma![i];
            var (scale, miss) = IntervalScale(z);
            return new SigmaCalibration(scale, p.Count, miss);
        }
        finally
        {
            net.SigmaScale = kept;
        }
    }

    /// <summary>The central-interval levels a gaussian head's scale is fitted to (see <see cref="CalibrateSigma"/>).</summary>
    public static readonly double[] CalibrationLevels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

    /// <summary>
    /// The scale s for standardised absolute errors <paramref name="z"/> (|error| / σ) that minimises
    /// the largest |share of z within s z_p - p| over <see cref="CalibrationLevels"/>, where z_p is
    /// the standard normal quantile of a central interval of level p; and that largest miss.
    /// (1, NaN) for no data.
    /// </summary>
    public static (double Scale, double Miss) IntervalScale(IReadOnlyList<double> z)
    {
        var sorted = z.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return (1, double.NaN);
        var quantiles = CalibrationLevels.Select(Coverage.HalfWidth).ToArray();
        double Miss(double s)
        {
            double worst = 0;
            for (int k = 0; k < quantiles.Length; k++)
            {
                double share = (double)UpperBound(sorted, s * quantiles[k]) / sorted.Length;
                worst = Math.Max(worst, Math.Abs(share - CalibrationLevels[k]));
            }
            return worst;
        }
        // Coverage changes only where s z_p meets a data point: try every such s (and keep the smallest miss).
        double best = 1, bestMiss = Miss(1);
        foreach (double q in quantiles)
            for (int i = 0; i < sorted.Length; i++)
            {
                double s = sorted[i] / q * (1 + 1e-9); // just above the point, so rounding later cannot drop it
                if (!(s > 0)) continue;
                double m = Miss(s);
                if (m < bestMiss - 1e-12) (best, bestMiss) = (s, m);
            }
        return (best, bestMiss);
    }

    /// <summary>Number of values of the sorted array that are at most <paramref name="x"/>.</summary>
    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>The network's predictions for every frame of <paramref name="frames"/>, in run and time order.</summary>
    public static Predictions Predict(Network net, FrameSet frames, Device device, int batchSize = 128,
        Func<RunEntry, PepLab.Store.IFrameSource>? open = null, Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        var (_, p) = Run(net, frames, device, batchSize, open, null, progress, cancellation);
        return p;
    }

    private static (double Loss, Predictions Predictions) Validate(Network net, FrameSet validation, TrainOptions options, Device device,
        TrainingProgress? progress, CancellationToken cancellation) =>
        Run(net, validation, device, Math.Max(options.BatchSize, 128), options.Open, options, progress?.Validating, cancellation);

    private static (double Loss, Predictions Predictions) Run(Network net, FrameSet frames, Device device, int batchSize,
        Func<RunEntry, PepLab.Store.IFrameSource>? open, TrainOptions? lossOptions, Action<long, long>? progress, CancellationToken cancellation)
    {
        var config = net.Config;
        net.to(device);
        net.eval();
        var loader = new FrameLoader(frames, new LoaderOptions { BatchSize = batchSize, Shuffle = false, Open = open, Prefetch = 2 });
        int n = (int)frames.TotalFrames;
        var runs = new int[n];
        var index = new int[n];
        var truth = new double[n];
        var target = new double[n];
        var sigma = config.Head == Head.Gaussian ? new double[n] : null;
        var tumble = new double[n];
        var truthOf = frames.Runs.ToDictionary(r => r.Run.Id, r => r.Run.Tumble);
        double lossSum = 0;
        int k = 0;
        using (no_grad())
        {
            foreach (var batch in loader.Epoch(0, cancellation))
            {
                using var scope = NewDisposeScope();
                var x = TorchRuntime.FramesTensor(batch, loader.Nx, loader.Ny, device);
                var output = net.call(x).to(CPU);
                if (lossOptions is not null)
                    lossSum += Loss(output, Targets(batch, config.Target, CPU), lossOptions).item<float>() * batch.Count;
                var values = output.data<float>().ToArray();
                int outputs = config.Outputs;
                for (int i = 0; i < batch.Count; i++)
                {
                    runs[k] = batch.Runs[i];
                    index[k] = batch.FrameIndices[i];
                    truth[k] = truthOf[batch.Runs[i]];
                    var (mapped, slope) = net.Bias is { } bias ? bias.Apply(values[i * outputs]) : (values[i * outputs], 1.0);
                    target[k] = mapped;
                    if (sigma is not null) sigma[k] = slope * net.SigmaScale * Math.Exp(0.5 * Math.Clamp((double)values[i * outputs + 1], -LogVarLimit, LogVarLimit));
                    tumble[k] = config.Target.FromTarget(target[k]);
                    k++;
                }
                progress?.Invoke(k, n);
            }
        }
        return (lossSum / Math.Max(1, n), new Predictions { Runs = runs, Frames = index, Truth = truth, Target = target, Sigma = sigma, Tumble = tumble });
    }

    /// <summary>The log variance of a gaussian head is clamped to ±this before sigma = exp(log_var / 2), in training, prediction and the PyTorch export.</summary>
    internal const double LogVarLimit = 12;

    /// <summary>One optimisation step on a batch; returns the batch's mean loss.</summary>
    public static float Step(Network net, optim.Optimizer optimizer, Batch batch, int nx, int ny, TrainOptions options, Device device)
    {
        using var scope = NewDisposeScope();
        var x = TorchRuntime.FramesTensor(batch, nx, ny, device);
        var y = Targets(batch, net.Config.Target, device);
        var output = net.call(x);
        var loss = Loss(output, y, options);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    private static Tensor Targets(Batch batch, TargetTransform transform, Device device)
    {
        var values = new float[batch.Count];
        for (int i = 0; i < batch.Count; i++) values[i] = (float)transform.ToTarget(batch.Tumbles[i]);
        return tensor(values, ScalarType.Float32, device);
    }

    private static Tensor Loss(Tensor output, Tensor y, TrainOptions o)
    {
        if (o.Loss == LossKind.Nll)
        {
            var mean = output.select(1, 0);
            var logVar = output.select(1, 1).clamp(-LogVarLimit, LogVarLimit);
            return (logVar + (y - mean).pow(2) * (-logVar).exp()).mul(0.5).mean();
        }
        var p = output.select(1, 0);
        return o.Loss switch
        {
            LossKind.Mae => F.l1_loss(p, y),
            LossKind.Huber => F.huber_loss(p, y, delta: o.HuberDelta),
            _ => F.mse_loss(p, y),
        };
    }

    /// <summary>Starts the output at the training set's mean target (and its variance for a gaussian head).</summary>
    private static void CalibrateOutput(Network net, FrameSet train)
    {
        var bias = net.OutputBias();
        if (bias is null) return;
        double sum = 0, sumSq = 0, n = 0;
        foreach (var r in train.Runs)
        {
            double t = net.Config.Target.ToTarget(r.Run.Tumble);
            sum += t * r.Frames;
            sumSq += t * t * r.Frames;
            n += r.Frames;
        }
        if (n == 0) return;
        double mean = sum / n, variance = Math.Max(sumSq / n - mean * mean, 1e-6);
        using var _ = no_grad();
        bias[0] = (float)mean;
        if (net.Config.Head == Head.Gaussian && bias.shape[0] > 1) bias[1] = (float)Math.Log(variance);
    }

    internal static void SetLearningRate(optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
