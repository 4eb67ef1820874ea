using System.Globalization;

namespace PepLab.Core;

/// <summary>
/// The grid syntax of sweeps: a comma list (<c>0.1,0.2,0.3</c>), an inclusive range
/// <c>start:stop:step</c> (values rounded to 12 decimals, so 0.15 is 0.15 and never
/// 0.15000000000000002), or for tumbles <c>log2:a:b:n</c> = numpy's <c>logspace(a, b, n, base=2)</c>.
/// </summary>
public static class ParameterGrid
{
    /// <summary>The original sampler's tumbles: <c>logspace(-6, -1, 10, base=2)</c>.</summary>
    public static double[] OriginalTumbles() => LogSpace(-6, -1, 10, 2);

    /// <summary>The "even" set (indices 0, 2, 4, 6, 8) of <see cref="OriginalTumbles"/>; the original's default.</summary>
    public static double[] EvenTumbles() => OriginalTumbles().Where((_, i) => i % 2 == 0).ToArray();

    /// <summary>The "odd" set (indices 1, 3, 5, 7, 9), the original's <c>--odd</c>.</summary>
    public static double[] OddTumbles() => OriginalTumbles().Where((_, i) => i % 2 == 1).ToArray();

    /// <summary>numpy's <c>logspace(start, stop, num, base)</c>: <c>base ** linspace(start, stop, num)</c>.</summary>
    public static double[] LogSpace(double start, double stop, int num, double @base) =>
        LinSpace(start, stop, num).Select(x => Math.Pow(@base, x)).ToArray();

    /// <summary>numpy's <c>linspace(start, stop, num)</c> (endpoint included), computed as numpy does.</summary>
    public static double[] LinSpace(double start, double stop, int num)
    {
        if (num < 1) return [];
        if (num == 1) return [start];
        double step = (stop - start) / (num - 1);
        var y = new double[num];
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }

    /// <summary>Parses a grid of values for <paramref name="option"/>; throws a one-line <see cref="PepLabInputException"/> on bad syntax.</summary>
    public static double[] Parse(string text, string option)
    {
        text = text.Trim();
        if (text.Length == 0) throw new PepLabInputException(option, "is empty");
        double[] values;
        if (text.StartsWith("log2:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = text[5..].Split(':');
            if (parts.Length != 3 || !TryNumber(parts[0], out var a) || !TryNumber(parts[1], out var b)
                || !int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new PepLabInputException(option, $"'{text}' is not log2:START:STOP:COUNT (e.g. log2:-6:-1:10)");
            values = LogSpace(a, b, n, 2);
        }
        else if (text.Contains(':'))
        {
            var parts = text.Split(':');
            if (parts.Length != 3 || !TryNumber(parts[0], out var a) || !TryNumber(parts[1], out var b) || !TryNumber(parts[2], out var step))
                throw new PepLabInputException(option, $"'{text}' is not START:STOP:STEP (e.g. 0.05:0.5:0.05)");
            if (!(step > 0) || b < a)
                throw new PepLabInputException(option, $"'{text}' needs STEP > 0 and STOP >= START");
            long count = (long)Math.Floor((b - a) / step + 1e-9) + 1;
            if (count > 100_000) throw new PepLabInputException(option, $"'{text}' gives {count} values");
            values = Enumerable.Range(0, (int)count).Select(i => Math.Round(a + i * step, 12)).ToArray();
        }
        else
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries);
            values = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!TryNumber(parts[i], out values[i]))
                    throw new PepLabInputException(option, $"'{parts[i]}' is not a number (use a list like 0.1,0.2 or START:STOP:STEP)");
        }
        if (values.Distinct().Count() != values.Length)
            throw new PepLabInputException(option, $"'{text}' repeats a value");
        return values;
    }

    private static bool TryNumber(string s, out double x) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out x) && double.IsFinite(x);
}
