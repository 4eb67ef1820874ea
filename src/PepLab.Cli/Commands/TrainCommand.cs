using System.CommandLine;
using System.Globalization;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary>The options the learning commands share.</summary>
internal static class LearnOptions
{
    public static Option<string> Device() => Option("--device", "Where to compute: auto (a CUDA GPU when this build has one, else the CPU), cpu, cuda.", "auto");

    public static Option<int> Threads() => Option("--threads", "CPU threads for libtorch (0 = all cores).", 0);

    public static Option<bool> Quiet() => Flag("--quiet", "No progress output.", "-q");

    public static Option<string?> Densities() => PathOption("--densities", "Use only runs of these densities: a list (0.15,0.3) and/or min:max ranges; values match within 1%.");

    public static Option<string?> Tumbles() => PathOption("--tumbles", "Use only runs of these P_t: a list (0.0156,0.0337) and/or min:max ranges; values match within 1%.");

    public static Option<string?> Replicas() => PathOption("--replicas", "Use only data-set runs of these replicas (files *_rK.h5): a list (1,2) and/or min:max ranges, e.g. the replica held out in training.");

    public static ValueFilter? Filter(ParseResult r, Option<string?> option, string name) =>
        r.GetValue(option) is { } text ? ValueFilter.Parse(text, name) : null;

    public static string G(double x, string format = "G4") => double.IsNaN(x) ? "-" : x.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Writes a table to stdout; when stdout is a file or pipe, wide enough not to wrap cells.</summary>
    public static void Show(Spectre.Console.Table table)
    {
        if (Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Width < 200) Spectre.Console.AnsiConsole.Profile.Width = 200;
        Spectre.Console.AnsiConsole.Write(table);
    }
}

/// <summary><c>pep train</c>: learn P_t from snapshots.</summary>
internal static class TrainCommand
{
    public static Command Build()
    {
        var dataset = new Argument<string>("DATASET") { Description = "Folder of trajectory files (*.h5, searched recursively) or one file; the label is each run's P_t." };
        var model = PathOption("--model", $"Built-in model: {string.Join(", ", Architectures.Names)} (default {Architectures.PepLab}); each comes with its own training recipe.", "-m");
        var layers = PathOption("--layers", "A model in the seed's layer notation instead, e.g. \"CONV(3,k5,s3) => FLATTEN => FC(1)\" (see 'pep model summary --help').");
        var encoding = PathOption("--encoding", "Input encoding: ordinal (value/4, the seed's), occupancy, onehot (4 orientation channels). Default: the model's own.");
        var target = PathOption("--target", "Regress P_t itself (identity) or ln P_t (log). Default: the model's own.");
        var head = Option("--head", "point: one value per frame; gaussian: a mean and a variance (trained with --loss nll).", "point");
        var epochs = OptionalOption<int>("--epochs", "Passes over the training frames (default: the model's recipe).", "-e");
        var batch = OptionalOption<int>("--batch", "Frames per optimisation step (default: the model's recipe).", "-b");
        var lr = OptionalOption<double>("--lr", "Adam learning rate (default: the model's recipe).");
        var loss = PathOption("--loss", "Loss: mse, mae, huber, nll (gaussian head). Default: the model's recipe.");
        var huberDelta = Option("--huber-delta", "Huber loss threshold, in target units.", 1.0);
        var schedule = PathOption("--schedule", "Learning-rate schedule: none, cosine (decay to 1% at the end), plateau (halve after 2 epochs without improvement). Default: the model's recipe.");
        var patience = OptionalOption<int>("--patience", "Stop early after this many epochs without a lower validation loss (default: run every epoch).");
        var lastWeights = Flag("--keep-last", "Keep the last epoch's weights instead of the epoch with the lowest validation loss.");
        var split = Option("--split", "Validation frames: trajectory (whole runs/replicas held out; a single-run group is split in time), time (last part of each run, after a gap), random (the seed's; leaks, with a warning).", "trajectory");
        var fraction = Option("--val-fraction", "Share of the data for validation.", 0.2);
        var gap = Option("--gap", "Frames dropped between training and validation frames of one run (time splits).", 50);
        var blocks = Option("--blocks", "Time blocks per run for the time split (each block's tail is validation).", 1);
        var holdOutReplica = OptionalOption<int>("--hold-out-replica", "Trajectory split: validate on exactly the runs of this replica (data-set files *_rN.h5) instead of a random share.");
        var densities = LearnOptions.Densities();
        var tumbles = LearnOptions.Tumbles();
        var steady = Flag("--steady", "Use only frames after each run's steady-state start: Chodera's t0 of the weighted mean cluster size (as 'pep equilibrate').");
        var steadyJobs = Option("--steady-jobs", "Files analysed at once for --steady (0 = all cores).", 0);
        var augment = PathOption("--augment", "On-the-fly augmentation: none, roll (random periodic shift), d4 (random rotation/mirror, orientations remapped), all (both), rolls13 (the original's 13 stored shifts r = 0, 10, ..., 120 along both axes). Default: the model's recipe (d4 for peplab, none for the seed's models).");
        var shuffleBuffer = Option("--shuffle-buffer", "Frames held for shuffling (memory: this x nx x ny bytes).", 2048);
        var block = Option("--block", "Consecutive frames read from a file at once.", 64);
        var seed = Option<ulong>("--seed", "Seed of weights, shuffling and split.", 1);
        var output = PathOption("--out", "Model folder to write (default: runs/train-MODEL-TIME).", "-o");
        var overwrite = Flag("--overwrite", "Replace a model already in --out.");
        var device = LearnOptions.Device();
        var threads = LearnOptions.Threads();
        var quiet = LearnOptions.Quiet();

        var cmd = new Command("train", "Train a CNN that predicts P_t from one snapshot; writes model.json, weights.bin, history.csv and the validation's predictions.csv, per_tumble.csv, runs.csv.");
        cmd.Arguments.Add(dataset);
        foreach (var o in new Option[] { model, layers, encoding, target, head, epochs, batch, lr, loss, huberDelta, schedule, patience, lastWeights,
                     split, fraction, gap, blocks, holdOutReplica, densities, tumbles, steady, steadyJobs, augment, shuffleBuffer, block, seed, output, overwrite, device, threads, quiet })
            cmd.Options.Add(o);

        cmd.SetAction(r => Guard("train", () =>
        {
            string modelName = r.GetValue(model) ?? (r.GetValue(layers) is null ? Architectures.PepLab : Architectures.Custom);
            var request = new TrainRequest
            {
                Dataset = r.GetValue(dataset)!,
                Out = r.GetValue(output) ?? Path.Combine("runs", $"train-{modelName}-{DateTime.Now:yyyyMMdd-HHmmss}"),
                Model = r.GetValue(model),
                Layers = r.GetValue(layers),
                Encoding = r.GetValue(encoding) is { } e ? LearnNames.ParseEncoding(e) : null,
                Target = r.GetValue(target) is { } t ? LearnNames.ParseTarget(t) : null,
                Head = LearnNames.ParseHead(r.GetValue(head)!),
                Epochs = r.GetValue(epochs),
                Batch = r.GetValue(batch),
                LearningRate = r.GetValue(lr),
                Loss = r.GetValue(loss) is { } l ? TrainOptions.ParseLoss(l) : null,
                HuberDelta = r.GetValue(huberDelta),
                Schedule = r.GetValue(schedule) is { } s ? TrainOptions.ParseSchedule(s) : null,
                Patience = r.GetValue(patience),
                RestoreBest = !r.GetValue(lastWeights),
                Split = new SplitOptions
                {
                    Kind = SplitOptions.ParseKind(r.GetValue(split)!),
                    Fraction = r.GetValue(fraction),
                    Gap = r.GetValue(gap),
                    Blocks = r.GetValue(blocks),
                    HoldOutReplica = r.GetValue(holdOutReplica),
                    Seed = r.GetValue(seed),
                },
                Densities = LearnOptions.Filter(r, densities, "--densities"),
                Tumbles = LearnOptions.Filter(r, tumbles, "--tumbles"),
                Augment = r.GetValue(augment) is { } a ? Augmentation.Parse(a) : null,
                Steady = r.GetValue(steady),
                SteadyJobs = r.GetValue(steadyJobs),
                ShuffleBuffer = r.GetValue(shuffleBuffer),
                BlockFrames = r.GetValue(block),
                Seed = r.GetValue(seed),
                Threads = r.GetValue(threads),
                Device = r.GetValue(device)!,
                Overwrite = r.GetValue(overwrite),
            };
            bool q = r.GetValue(quiet);
            var log = new JobLog
            {
                Info = line => { if (!q) Console.Error.WriteLine($"pep train: {line}"); },
                Warning = line => Console.Error.WriteLine($"pep train: warning: {line}"),
            };
            if (request.SteadyJobs < 0) throw new PepLabInputException("--steady-jobs", "must be 0 (all cores) or more");
            PreparedTraining prepared;
            if (request.Steady)
            {
                // The steady-state analysis has its own bar; the epochs get theirs below.
                // Lines wait until the bar is done (a live bar and plain lines do not mix).
                long total = TrajectorySet.Open(request.Dataset, request.Densities, request.Tumbles).TotalFrames;
                var held = new List<Action>();
                try
                {
                    prepared = Progress.Run(q, "steady state", total, "frames", report =>
                        TrainingJob.Prepare(request, new JobLog
                        {
                            Info = line => held.Add(() => log.Info(line)),
                            Warning = line => held.Add(() => log.Warning(line)),
                            Steady = (done, _) => report(done),
                        }, Cancellation));
                }
                finally
                {
                    foreach (var line in held) line();
                }
            }
            else prepared = TrainingJob.Prepare(request, log, Cancellation);
            var result = EpochProgress.Run(q, prepared.Options.Epochs, progress =>
                TrainingJob.Execute(prepared, new JobLog { Info = log.Info, Warning = log.Warning, Training = progress }, Cancellation));

            var v = result.Validation;
            var doc = result.Document;
            Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, result.Folder)}: {doc.Name}, {doc.Parameters:N0} parameters, " +
                              $"{doc.Training!.EpochsRun} epochs ({(doc.Training.StoppedEarly ? "stopped early, " : "")}weights of epoch {doc.Training.BestEpoch}), {doc.Training.Seconds:0} s");
            Console.WriteLine($"validation ({v.Frames} frames, {v.Runs} runs): r = {LearnOptions.G(v.Pearson, "0.0000")}, R^2 = {LearnOptions.G(v.R2, "0.0000")}, " +
                              $"MAE = {LearnOptions.G(v.Mae, "G3")}, overlap {LearnOptions.G(v.OverlapRatio, "0.##")}, worst median error {LearnOptions.G(100 * v.WorstMedianRelativeError, "0.#")}%");
            EvaluateCommand.PrintPerTumble(v);
            return Ok;
        }));
        return cmd;
    }
}
