using System.Diagnostics;
using System.Globalization;
using PepLab.Core;
using PepLab.Learn;
using Spectre.Console;

namespace PepLab.Cli.Commands;

/// <summary>
/// Training progress on stderr: on a terminal one live bar per epoch, with frames/s, the epoch's
/// ETA and the whole run's ETA (<see cref="TrainingEta"/>), that ends as a summary (loss,
/// validation loss, validation r, samples/s); otherwise a line with the same figures at each
/// quarter of an epoch and a summary line per epoch (log files, SLURM output); nothing with --quiet.
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
                new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                string name = "";
                long frames = 0;
                var clock = Stopwatch.StartNew();
                var eta = new TrainingEta(epochs);
                var progress = new TrainingProgress
                {
                    EpochStarted = (e, n) =>
                    {
                        clock.Restart();
                        eta.EpochStarted(e, n);
                        (name, frames) = ($"epoch {e}/{epochs}", n);
                        task = ctx.AddTask(name, maxValue: Math.Max(1, n));
                    },
                    Batch = done =>
                    {
                        if (task is null) return;
                        task.Value = done;
                        task.Description = $"{name} {Figures(eta, done, clock.Elapsed.TotalSeconds)}";
                    },
                    Validating = (done, total) =>
                    {
                        if (task is null || task.IsFinished) return;
                        var (_, run) = eta.Estimate(frames, clock.Elapsed.TotalSeconds);
                        task.Description = $"{name} validating {100 * done / Math.Max(1, total)}%, run ETA {Durations.Clock(run)}";
                    },
                    EpochDone = r =>
                    {
                        eta.EpochDone(clock.Elapsed.TotalSeconds);
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
        var eta = new TrainingEta(epochs);
        long total = 0;
        int quarter = 0, epoch = 0;
        var progress = new TrainingProgress
        {
            EpochStarted = (e, frames) =>
            {
                clock.Restart();
                eta.EpochStarted(e, frames);
                total = frames;
                quarter = 0;
                epoch = e;
            },
            Batch = done =>
            {
                int q = total > 0 ? (int)(4 * done / total) : 4;
                if (q <= quarter || q >= 4) return;
                quarter = q;
                Console.Error.WriteLine($"epoch {epoch}/{epochs}: {25 * q}% ({Figures(eta, done, clock.Elapsed.TotalSeconds)})");
            },
            EpochDone = r =>
            {
                eta.EpochDone(clock.Elapsed.TotalSeconds);
                Console.Error.WriteLine(Summary(r, epochs));
            },
        };
        return work(progress);
    }

    /// <summary>"220 frames/s, epoch ETA 00:00:04, run ETA 00:01:10" after <paramref name="done"/> frames in <paramref name="elapsed"/> seconds.</summary>
    public static string Figures(TrainingEta eta, long done, double elapsed)
    {
        var (epoch, run) = eta.Estimate(done, elapsed);
        return $"{Progress.Human(done / Math.Max(elapsed, 1e-9))} frames/s, epoch ETA {Durations.Clock(epoch)}, run ETA {Durations.Clock(run)}";
    }

    public static string Summary(EpochRecord r, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{epochs}: loss {r.TrainLoss:G4}, val loss {r.ValLoss:G4}, val r {r.ValPearson:0.0000}, val MAE {r.ValMae:G3}, " +
        $"{r.SamplesPerSecond:0} samples/s, lr {r.LearningRate:G3}, {r.Seconds:0.0} s");
}
