using System.Diagnostics;
using System.Globalization;
using PepLab.Learn;
using Spectre.Console;

namespace PepLab.Cli.Commands;

/// <summary>
/// Training progress on stderr: on a terminal one live bar per epoch that ends as a summary
/// (loss, validation loss, validation r, samples/s); otherwise a line at each quarter of an epoch
/// and a summary line per epoch (log files, SLURM output); nothing with --quiet.
/// </summary>
internal static class EpochProgress
{
    public static T Run<T>(bool quiet, int epochs, Func<TrainingProgress, T> work)
    {
        if (quiet) return work(new TrainingProgress());
        if (!Progress.Err.Profile.Capabilities.Interactive || Console.IsErrorRedirected) return RunPlain(epochs, work);
        T result = default!;
        Progress.Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                var clock = Stopwatch.StartNew();
                var progress = new TrainingProgress
                {
                    EpochStarted = (e, frames) =>
                    {
                        clock.Restart();
                        task = ctx.AddTask($"epoch {e}/{epochs}", maxValue: Math.Max(1, frames));
                    },
                    Batch = done =>
                    {
                        if (task is null) return;
                        task.Value = done;
                        double rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                        task.Description = $"epoch {task.Description.Split(' ')[1]} {Progress.Human(rate)} frames/s";
                    },
                    Validating = (done, total) =>
                    {
                        if (task is null || task.IsFinished) return;
                        task.Description = $"epoch {task.Description.Split(' ')[1]} validating {100 * done / Math.Max(1, total)}%";
                    },
                    EpochDone = r =>
                    {
                        if (task is null) return;
                        task.Value = task.MaxValue;
                        task.Description = Markup.Escape(Summary(r, epochs));
                        task.StopTask();
                    },
                };
                result = work(progress);
            });
        return result;
    }

    private static T RunPlain<T>(int epochs, Func<TrainingProgress, T> work)
    {
        var clock = Stopwatch.StartNew();
        long total = 0;
        int quarter = 0, epoch = 0;
        var progress = new TrainingProgress
        {
            EpochStarted = (e, frames) =>
            {
                clock.Restart();
                total = frames;
                quarter = 0;
                epoch = e;
            },
            Batch = done =>
            {
                int q = total > 0 ? (int)(4 * done / total) : 4;
                if (q <= quarter || q >= 4) return;
                quarter = q;
                Console.Error.WriteLine($"epoch {epoch}/{epochs}: {25 * q}% ({Progress.Human(done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9))} frames/s)");
            },
            EpochDone = r => Console.Error.WriteLine(Summary(r, epochs)),
        };
        return work(progress);
    }

    public static string Summary(EpochRecord r, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{epochs}: loss {r.TrainLoss:G4}, val loss {r.ValLoss:G4}, val r {r.ValPearson:0.0000}, val MAE {r.ValMae:G3}, " +
        $"{r.SamplesPerSecond:0} samples/s, lr {r.LearningRate:G3}, {r.Seconds:0.0} s");
}
