using ScottPlot;
using ScottPlot.TickGenerators;

namespace PepLab.Report;

/// <summary>
/// Logarithmic axes. ScottPlot draws linear axes only, so log-scaled data is plotted as log10(value)
/// and the axis gets ticks at the positions of round values, labelled with the values themselves.
/// </summary>
public static class LogAxis
{
    /// <summary>One tick: its position (log10 of <see cref="Value"/>), the value, and whether it is labelled.</summary>
    public readonly record struct LogTick(double Position, double Value, bool Major);

    /// <summary>
    /// Ticks covering [<paramref name="min"/>, <paramref name="max"/>] (values &gt; 0): decades as major
    /// ticks and 2..9 x decade as minor ones; across fewer than 2.5 decades 2 x and 5 x decade are
    /// labelled too, so a narrow axis still carries several labels.
    /// </summary>
    public static IReadOnlyList<LogTick> Ticks(double min, double max)
    {
        if (!(min > 0) || !(max > 0) || double.IsInfinity(min) || double.IsInfinity(max))
            throw new ArgumentOutOfRangeException(nameof(min), $"log axis needs positive finite limits (got {min}, {max})");
        if (max < min) (min, max) = (max, min);
        double lo = Math.Log10(min), hi = Math.Log10(max);
        bool narrow = hi - lo < 2.5;
        var ticks = new List<LogTick>();
        for (int k = (int)Math.Floor(lo) - 1; k <= (int)Math.Ceiling(hi); k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double value = m * Math.Pow(10, k);
                double position = Math.Log10(value);
                if (position < lo - 1e-9 || position > hi + 1e-9) continue;
                bool major = m == 1 || (narrow && (m == 2 || m == 5));
                ticks.Add(new LogTick(position, value, major));
            }
        }
        return ticks;
    }

    /// <summary>Formats a tick value: 0.01, 0.5, 20, 1000, 1e+05.</summary>
    public static string Label(double value)
    {
        double a = Math.Abs(value);
        if (a >= 1e-4 && a < 1e5) return value.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture);
        return value.ToString("0e+0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Gives <paramref name="axis"/> the log ticks of [<paramref name="min"/>, <paramref name="max"/>] and
    /// sets its range to that span (with <paramref name="marginFraction"/> of a decade on each side).
    /// </summary>
    public static void Apply(Plot plot, IAxis axis, double min, double max, double marginFraction = 0.05)
    {
        double lo = Math.Log10(min), hi = Math.Log10(max);
        double pad = Math.Max(marginFraction * (hi - lo), 0.02);
        var ticks = Ticks(Math.Pow(10, lo - pad), Math.Pow(10, hi + pad));
        var generator = new NumericManual();
        foreach (var t in ticks)
        {
            if (t.Major) generator.AddMajor(t.Position, Label(t.Value));
            else generator.AddMinor(t.Position);
        }
        axis.TickGenerator = generator;
        if (axis is IXAxis x) plot.Axes.SetLimitsX(lo - pad, hi + pad, x);
        else if (axis is IYAxis y) plot.Axes.SetLimitsY(lo - pad, hi + pad, y);
    }

    /// <summary>log10 of each value; values &lt;= 0 (not drawable on a log axis) become NaN.</summary>
    public static double[] Log10(IEnumerable<double> values) => values.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray();
}
