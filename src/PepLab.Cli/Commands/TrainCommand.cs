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

    public static Option<bool> Uncalibrated() => Flag("--uncalibrated",
        "Use the network's raw output, without the map onto the truth fitted after training (model.json's calibration.bias; see 'pep train --calibrate'). A gaussian head's sigma scale still applies.");

    public static string G(double x, string format = "G4") => double.IsNaN(x) ? "-" : x.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary><c>pep train</c>: learn P_t from snapshots.</summary>
internal static class TrainCommand
{
    public static Command Build()
    {
        var o = new TrainCommandOptions();
        var cmd = new Command("train", "Train a CNN that predicts P_t from one snapshot; writes model.json, weights.bin, history.csv and the validation's predictions.csv, per_tumble.csv, runs.csv.");
        cmd.Arguments.Add(o.Dataset);
        foreach (var option in o.All) cmd.Options.Add(option);
        var slurm = new SlurmFlags("Do not train here: submit the training as a SLURM job (script in OUT/slurm/) that resumes from its last checkpoint, " +
                                   "so the same command again continues a job stopped by its time limit.", gpu: true);
        slurm.AddTo(cmd);
        cmd.SetAction(r => Guard("train", () => slurm.On(r) ? Submit(r, o.Request(r), slurm) : Run(o.Request(r), r.GetValue(o.Quiet), r.GetValue(o.Json))));
        return cmd;
    }

    /// <summary>The training as a SLURM job: this command line, with --out fixed and --resume.</summary>
    private static int Submit(ParseResult r, TrainRequest request, SlurmFlags slurm)
    {
        var more = new List<string>();
        if (!HasArgument("--out") && !HasArgument("-o")) more.AddRange(["--out", request.Out]);
        if (!HasArgument("--resume")) more.Add("--resume");
        return slurm.SubmitOne(r, "train", request.Out, more, command => TrainingJob.SlurmStage(request, command), () => TrainingJob.IsFinished(request.Out));
    }

    /// <summary>Prepares, trains (saying on an interruption what was kept and how to resume), prints the result.</summary>
    private static int Run(TrainRequest request, bool quiet, bool json)
    {
        var log = new JobLog
        {
            Info = line => { if (!quiet) Console.Error.WriteLine($"pep train: {line}"); },
            Warning = line => Console.Error.WriteLine($"pep train: warning: {line}"),
        };
        if (request.SteadyJobs < 0) throw new PepLabInputException("--steady-jobs", "must be 0 (all cores) or more");
        OnInterrupt(() => InterruptedNote(request.Out));
        var prepared = Prepare(request, log, quiet);
        var result = EpochProgress.Run(quiet, prepared.Options.Epochs, progress =>
            TrainingJob.Execute(prepared, new JobLog { Info = log.Info, Warning = log.Warning, Training = progress }, Cancellation));
        if (json) Output.Json("training", result.Summary());
        else Print(result);
        return Ok;
    }

    private static PreparedTraining Prepare(TrainRequest request, JobLog log, bool quiet)
    {
        if (!request.Steady) return TrainingJob.Prepare(request, log, Cancellation);
        // The steady-state analysis has its own bar; the epochs get theirs later.
        // Lines wait until the bar is done (a live bar and plain lines do not mix).
        long total = TrajectorySet.Open(request.Dataset, request.Densities, request.Tumbles).TotalFrames;
        var held = new List<Action>();
        try
        {
            return Progress.Run(quiet, "steady state", total, "frames", report =>
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

    /// <summary>What an interrupted training kept (read from its folder) and the command that continues it.</summary>
    private static string InterruptedNote(string output) => TrainingCheckpoint.InterruptedNote(output, () =>
    {
        // The default --out has the time in its name: the command that resumes must name this folder.
        var more = new List<string>();
        if (!HasArgument("--out") && !HasArgument("-o")) more.AddRange(["--out", output]);
        if (!HasArgument("--resume")) more.Add("--resume");
        return CommandLine(more);
    });

    private static void Print(TrainResult result)
    {
        var v = result.Validation;
        var doc = result.Document;
        Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, result.Folder)}: {doc.Name}, {doc.Parameters:N0} parameters, " +
                          $"{doc.Training!.EpochsRun} epochs ({(doc.Training.StoppedEarly ? "stopped early, " : "")}weights of epoch {doc.Training.BestEpoch}), {doc.Training.Seconds:0} s");
        Console.WriteLine($"validation ({v.Frames} frames, {v.Runs} runs): r = {LearnOptions.G(v.Pearson, "0.0000")}, R^2 = {LearnOptions.G(v.R2, "0.0000")}, " +
                          $"MAE = {LearnOptions.G(v.Mae, "G3")}, overlap {LearnOptions.G(v.OverlapRatio, "0.##")}, worst median error {LearnOptions.G(100 * v.WorstMedianRelativeError, "0.#")}%");
        EvaluateCommand.PrintPerTumble(v);
    }
}

/// <summary>The options of <c>pep train</c>, and the request they make.</summary>
internal sealed class TrainCommandOptions
{
    public readonly Argument<string> Dataset = new("DATASET") { Description = "Folder of trajectory files (*.h5, searched recursively) or one file; the label is each run's P_t." };
    public readonly Option<string?> Model = PathOption("--model", $"Built-in model: {string.Join(", ", Architectures.Names)} (default {Architectures.PepLab}); each comes with its own training recipe.", "-m");
    public readonly Option<string?> Layers = PathOption("--layers", "A model in the seed's layer notation instead, e.g. \"CONV(3,k5,s3) => FLATTEN => FC(1)\" (see 'pep model summary --help').");
    public readonly Option<string?> Encoding = PathOption("--encoding", "Input encoding: ordinal (value/4, the seed's), occupancy, onehot (4 orientation channels). Default: the model's own.");
    public readonly Option<string?> Target = PathOption("--target", "Regress P_t itself (identity) or ln P_t (log). Default: the model's own.");
    public readonly Option<string> Head = Option("--head", "point: one value per frame; gaussian: a mean and a variance (trained with --loss nll).", "point");
    public readonly Option<int?> Epochs = OptionalOption<int>("--epochs", "Passes over the training frames (default: the model's recipe).", "-e");
    public readonly Option<int?> Batch = OptionalOption<int>("--batch", "Frames per optimisation step (default: the model's recipe).", "-b");
    public readonly Option<double?> Lr = OptionalOption<double>("--lr", "Adam learning rate (default: the model's recipe).");
    public readonly Option<string?> Loss = PathOption("--loss", "Loss: mse, mae, huber, nll (gaussian head). Default: the model's recipe.");
    public readonly Option<double> HuberDelta = Option("--huber-delta", "Huber loss threshold, in target units.", 1.0);
    public readonly Option<string?> Schedule = PathOption("--schedule", "Learning-rate schedule: none, cosine (decay to 1% at the end), plateau (halve after 2 epochs without improvement). Default: the model's recipe.");
    public readonly Option<int?> Patience = OptionalOption<int>("--patience", "Stop early after this many epochs without a lower validation loss (default: run every epoch).");
    public readonly Option<bool> KeepLast = Flag("--keep-last", "Keep the last epoch's weights instead of the epoch with the lowest validation loss.");
    public readonly Option<string> Calibrate = Option("--calibrate", "After training, fit a map of the output onto the truth on the training frames (read as in prediction), so that each P_t's mean prediction is unbiased (bias: the default; it makes per-run estimates, which pool many frames, several times more accurate), or keep the raw output (none). Saved in model.json and applied by predict and evaluate.", "bias");
    public readonly Option<string> Split = Option("--split", "Validation frames: trajectory (whole runs/replicas held out; a single-run group is split in time), time (last part of each run, after a gap), random (the seed's; leaks, with a warning).", "trajectory");
    public readonly Option<double> Fraction = Option("--val-fraction", "Share of the data for validation.", 0.2);
    public readonly Option<int> Gap = Option("--gap", "Frames dropped between training and validation frames of one run (time splits).", 50);
    public readonly Option<int> Blocks = Option("--blocks", "Time blocks per run for the time split (each block's tail is validation).", 1);
    public readonly Option<int?> HoldOutReplica = OptionalOption<int>("--hold-out-replica", "Trajectory split: validate on exactly the runs of this replica (data-set files *_rN.h5) instead of a random share.");
    public readonly Option<string?> Densities = SelectOption("densities", "densities");
    public readonly Option<string?> Tumbles = SelectOption("tumbles", "P_t");
    public readonly Option<bool> Steady = Flag("--steady", "Use only frames after each run's steady-state start: Chodera's t0 of the weighted mean cluster size (as 'pep equilibrate').");
    public readonly Option<int> SteadyJobs = Option("--steady-jobs", "Files analysed at once for --steady (0 = all cores).", 0);
    public readonly Option<string?> Augment = PathOption("--augment", "On-the-fly augmentation: none, roll (random periodic shift), d4 (random rotation/mirror, orientations remapped), all (both), rolls13 (the original's 13 stored shifts r = 0, 10, ..., 120 along both axes). Default: the model's recipe (d4 for peplab, none for the seed's models).");
    public readonly Option<int> ShuffleBuffer = Option("--shuffle-buffer", "Frames held for shuffling (memory: this x nx x ny bytes).", 2048);
    public readonly Option<int> Block = Option("--block", "Consecutive frames read from a file at once.", 64);
    public readonly Option<ulong> Seed = Option<ulong>("--seed", "Seed of weights, shuffling and split.", 1);
    public readonly Option<string?> Output = PathOption("--out", "Model folder to write (default: runs/train-MODEL-TIME).", "-o");
    public readonly Option<bool> Overwrite = Flag("--overwrite", "Replace a model (or an interrupted training) already in --out.");
    public readonly Option<bool> Resume = Flag("--resume", "Continue the interrupted training in --out from its last completed epoch (same settings required); a finished model of the same settings is kept as it is, and an empty --out starts afresh.");
    public readonly Option<string> Device = LearnOptions.Device();
    public readonly Option<int> Threads = ThreadsOption();
    public readonly Option<bool> Quiet = QuietOption();
    public readonly Option<bool> Json = PepLab.Cli.Output.JsonOption();

    public IEnumerable<Option> All =>
    [
        Model, Layers, Encoding, Target, Head, Epochs, Batch, Lr, Loss, HuberDelta, Schedule, Patience, KeepLast, Calibrate, Split, Fraction, Gap, Blocks,
        HoldOutReplica, Densities, Tumbles, Steady, SteadyJobs, Augment, ShuffleBuffer, Block, Seed, Output, Overwrite, Resume, Device, Threads, Quiet, Json,
    ];

    /// <summary>The request the parsed options make (each value checked by the library, naming the option).</summary>
    public TrainRequest Request(ParseResult r)
    {
        string modelName = r.GetValue(Model) ?? (r.GetValue(Layers) is null ? Architectures.PepLab : Architectures.Custom);
        return new TrainRequest
        {
            Dataset = r.GetValue(Dataset)!,
            Out = r.GetValue(Output) ?? Path.Combine("runs", $"train-{modelName}-{DateTime.Now:yyyyMMdd-HHmmss}"),
            Model = r.GetValue(Model),
            Layers = r.GetValue(Layers),
            Encoding = r.GetValue(Encoding) is { } e ? ModelSettingNames.ParseEncoding(e) : null,
            Target = r.GetValue(Target) is { } t ? ModelSettingNames.ParseTarget(t) : null,
            Head = ModelSettingNames.ParseHead(r.GetValue(Head)!),
            Epochs = r.GetValue(Epochs),
            Batch = r.GetValue(Batch),
            LearningRate = r.GetValue(Lr),
            Loss = r.GetValue(Loss) is { } l ? TrainOptions.ParseLoss(l) : null,
            HuberDelta = r.GetValue(HuberDelta),
            Schedule = r.GetValue(Schedule) is { } s ? TrainOptions.ParseSchedule(s) : null,
            Patience = r.GetValue(Patience),
            RestoreBest = !r.GetValue(KeepLast),
            CalibrateBias = TrainOptions.ParseCalibration(r.GetValue(Calibrate)!),
            Split = new SplitOptions
            {
                Kind = SplitOptions.ParseKind(r.GetValue(Split)!),
                Fraction = r.GetValue(Fraction),
                Gap = r.GetValue(Gap),
                Blocks = r.GetValue(Blocks),
                HoldOutReplica = r.GetValue(HoldOutReplica),
                Seed = r.GetValue(Seed),
            },
            Densities = Select(r, Densities),
            Tumbles = Select(r, Tumbles),
            Augment = r.GetValue(Augment) is { } a ? Augmentation.Parse(a) : null,
            Steady = r.GetValue(Steady),
            SteadyJobs = r.GetValue(SteadyJobs),
            ShuffleBuffer = r.GetValue(ShuffleBuffer),
            BlockFrames = r.GetValue(Block),
            Seed = r.GetValue(Seed),
            Threads = Cli.Threads(r, Threads),
            Device = r.GetValue(Device)!,
            Overwrite = r.GetValue(Overwrite),
            Resume = r.GetValue(Resume),
        };
    }
}
