using PepLab.Analyse;
using PepLab.Core;

namespace PepLab.Report;

/// <summary>A parameter a sweep varies (P_t or density): what the curves of a figure stand for, or what runs are grouped by.</summary>
public enum SweptParameter
{
    /// <summary>The tumbling probability Pₜ.</summary>
    Tumble,
    /// <summary>The density ρ (as asked for; the original's file names carry only this one).</summary>
    Density,
}

/// <summary>Selecting and grouping analysed runs for the cluster figures.</summary>
public static class RunGroups
{
    /// <summary>The value of <paramref name="parameter"/> for a run.</summary>
    public static double Value(RunSeries run, SweptParameter parameter) =>
        parameter == SweptParameter.Tumble ? run.Info.Tumble : run.Info.DensityRequested;

    /// <summary>Symbol of a parameter for labels.</summary>
    public static string Symbol(SweptParameter parameter) => parameter == SweptParameter.Tumble ? "Pₜ" : "ρ";

    /// <summary>
    /// The steady part of a run: its frames from t0 on, t0 found on <paramref name="statistic"/> by
    /// <see cref="SteadyState"/> (PepLab's one policy, as every command). A run with an empty frame
    /// is a <see cref="PepLabInputException"/>.
    /// </summary>
    public static RunSeries Steady(RunSeries run, FrameStatistic statistic) =>
        new SteadyState(statistic: statistic).Compute(run).SteadyRun;

    /// <summary>
    /// The frames a pooled figure uses: every analysed frame of each run when <paramref name="allFrames"/>,
    /// else each run's <see cref="Steady"/> part (t0 found on <paramref name="statistic"/>). <paramref name="note"/>
    /// says which for the figure's title: " (all frames)", " (frames A:B)" for <paramref name="range"/>, or " (steady frames)".
    /// </summary>
    public static IReadOnlyList<RunSeries> Pooled(IReadOnlyList<RunSeries> runs, FrameStatistic statistic, bool allFrames,
        FrameRange? range, out string note)
    {
        if (allFrames)
        {
            note = range is null ? " (all frames)" : $" (frames {range})";
            return runs;
        }
        note = " (steady frames)";
        return runs.Select(run => Steady(run, statistic)).ToList();
    }

    /// <summary>
    /// Groups runs by the value of <paramref name="parameter"/> (equal when they agree to 1e-9 relative),
    /// in increasing order of the value.
    /// </summary>
    public static IReadOnlyList<(double Value, IReadOnlyList<RunSeries> Runs)> By(IEnumerable<RunSeries> runs, SweptParameter parameter)
    {
        var groups = new List<(double Value, List<RunSeries> Runs)>();
        foreach (var run in runs)
        {
            double v = Value(run, parameter);
            int i = groups.FindIndex(g => Same(g.Value, v));
            if (i < 0) groups.Add((v, [run]));
            else groups[i].Runs.Add(run);
        }
        return groups.OrderBy(g => g.Value).Select(g => (g.Value, (IReadOnlyList<RunSeries>)g.Runs)).ToList();
    }

    /// <summary>The parameter that differs between runs: Pₜ when it varies (or when neither does), else density.</summary>
    public static SweptParameter Varying(IReadOnlyList<RunSeries> runs)
    {
        if (By(runs, SweptParameter.Tumble).Count > 1) return SweptParameter.Tumble;
        return By(runs, SweptParameter.Density).Count > 1 ? SweptParameter.Density : SweptParameter.Tumble;
    }

    /// <summary>Parses "tumble"/"pt"/"p_t" or "density"/"rho"; anything else is a <see cref="PepLabInputException"/>.</summary>
    public static SweptParameter Parse(string text, string subject = "by") => text.Trim().ToLowerInvariant() switch
    {
        "tumble" or "pt" or "p_t" or "tumbling" => SweptParameter.Tumble,
        "density" or "rho" => SweptParameter.Density,
        _ => throw new PepLabInputException(subject, $"'{text}' is not a run parameter; use tumble or density"),
    };

    /// <summary>True when two parameter values are the same number up to rounding in files and names.</summary>
    public static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    /// <summary>A list of parameter values for titles: "0.1, 0.2, 0.3".</summary>
    public static string List(IEnumerable<double> values) => string.Join(", ", values.Select(Figure.Num));
}
