using MathNet.Numerics.Distributions;

namespace PepLab.Learn;

/// <summary>How often central intervals of one nominal level contain the truth.</summary>
public sealed record IntervalCoverage
{
    /// <summary>Nominal level of the central interval (e.g. 0.5 or 0.9).</summary>
    public required double Nominal { get; init; }
    /// <summary>Share of single frames whose interval contains the true P_t.</summary>
    public required double PerFrame { get; init; }
    /// <summary>Share of runs whose combined interval contains the true P_t.</summary>
    public required double PerRun { get; init; }
    /// <summary>Frames scored.</summary>
    public required int Frames { get; init; }
    /// <summary>Runs scored.</summary>
    public required int Runs { get; init; }
}

/// <summary>
/// Calibration of a Gaussian head: the mean and standard deviation it predicts (in target space)
/// give central intervals mean ± z σ; their coverage on held-out data should match the nominal level.
/// A run's interval combines its frames: the mean of their means, with the root mean square of their
/// σ (the frames of one run share one P_t and are strongly correlated in time, so averaging does not
/// shrink the spread the network assigns to a single snapshot).
/// </summary>
public static class Coverage
{
    /// <summary>The levels PepLab reports.</summary>
    public static readonly double[] Levels = [0.5, 0.9];

    /// <summary>Half-width, in σ, of the central interval of a standard normal that holds <paramref name="level"/> of it (0.5: 0.674, 0.9: 1.645).</summary>
    public static double HalfWidth(double level) => Normal.InvCDF(0, 1, 0.5 + level / 2);

    /// <summary>Coverage at each level, or null when the predictions carry no σ (a point head).</summary>
    public static IReadOnlyList<IntervalCoverage>? Of(Predictions p, TargetTransform transform, IReadOnlyList<double>? levels = null)
    {
        if (p.Sigma is null || p.Count == 0) return null;
        var result = new List<IntervalCoverage>();
        var runs = Enumerable.Range(0, p.Count).GroupBy(i => p.Runs[i]).ToList();
        foreach (double level in levels ?? Levels)
        {
            if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(levels), "levels must be in (0, 1)");
            double z = HalfWidth(level);
            int inside = 0;
            for (int i = 0; i < p.Count; i++)
                if (Math.Abs(transform.ToTarget(p.Truth[i]) - p.Target[i]) <= z * p.Sigma[i]) inside++;
            int runsInside = 0;
            foreach (var g in runs)
            {
                double mean = g.Average(i => p.Target[i]);
                double sigma = Math.Sqrt(g.Average(i => p.Sigma[i] * p.Sigma[i]));
                if (Math.Abs(transform.ToTarget(p.Truth[g.First()]) - mean) <= z * sigma) runsInside++;
            }
            result.Add(new IntervalCoverage
            {
                Nominal = level,
                PerFrame = (double)inside / p.Count,
                PerRun = (double)runsInside / runs.Count,
                Frames = p.Count,
                Runs = runs.Count,
            });
        }
        return result;
    }
}
