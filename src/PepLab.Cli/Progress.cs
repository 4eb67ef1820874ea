using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PepLab.Cli;

/// <summary>
/// Progress for long work: a live bar with rate and ETA on an interactive terminal, one line per
/// 10% otherwise (log files, SLURM output), nothing with --quiet. Always on stderr, so stdout stays
/// clean for results.
/// </summary>
internal static class Progress
{
    public static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    /// <summary>Runs <paramref name="work"/>, which reports the amount done (out of <paramref name="total"/>) through the callback.</summary>
    public static T Run<T>(bool quiet, string title, double total, string unit, Func<Action<double>, T> work)
    {
        if (quiet) return work(_ => { });
        if (!Err.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
            return RunPlain(title, total, unit, work);
        T result = default!;
        Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RateColumn(unit), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(total, 1e-9));
                result = work(v => task.Value = Math.Min(v, total));
                task.Value = total;
            });
        return result;
    }

    private static T RunPlain<T>(string title, double total, string unit, Func<Action<double>, T> work)
    {
        var clock = Stopwatch.StartNew();
        int lastDecile = -1;
        var gate = new object();
        void Report(double done)
        {
            int decile = total > 0 ? (int)(10 * done / total) : 10;
            lock (gate)
            {
                if (decile <= lastDecile) return;
                lastDecile = decile;
            }
            double s = clock.Elapsed.TotalSeconds;
            double rate = s > 0 ? done / s : 0;
            string eta = rate > 0 && done < total ? $", ETA {TimeSpan.FromSeconds((total - done) / rate):hh\\:mm\\:ss}" : "";
            Console.Error.WriteLine($"{title}: {100 * done / Math.Max(total, 1e-9):0}% ({Human(rate)} {unit}/s{eta})");
        }
        var result = work(Report);
        Report(total);
        return result;
    }

    public static string Human(double x) => x switch
    {
        >= 1e9 => $"{x / 1e9:0.00} G",
        >= 1e6 => $"{x / 1e6:0.00} M",
        >= 1e4 => $"{x / 1e3:0.0} k",
        _ => $"{x:0.#}",
    };

    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double? speed = task.Speed;
            return new Text(speed is { } s ? $"{Human(s)}{unit}/s" : $"-- {unit}/s", new Style(Color.Grey));
        }
    }
}
