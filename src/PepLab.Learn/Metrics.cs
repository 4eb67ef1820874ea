using MathNet.Numerics.Distributions;
using PepLab.Analyse;

namespace PepLab.Learn;

/// <summary>How the predictions of one P_t spread around it.</summary>
public sealed record TumbleStats
{
    public required double Tumble { get; init; }
    public required int Frames { get; init; }
    public required int Runs { get; init; }
    public required double Mean { get; init; }
    public required double Median { get; init; }
    /// <summary>Sample standard deviation of the predictions (the seed's "spread").</summary>
    public required double Std { get; init; }
    /// <summary>Mean prediction minus the truth.</summary>
    public required double Bias { get; init; }
    /// <summary>Median prediction / truth - 1.</summary>
    public required double MedianRelativeError { get; init; }
    public required double Q05 { get; init; }
    public required double Q95 { get; init; }
    public required double Min { get; init; }
    public required double Max { get; init; }
    /// <summary>True when mean - std &lt;= truth &lt;= mean + std (the seed's overlap criterion).</summary>
    public required bool Covers { get; init; }
}

/// <summary>One run's P_t estimated from all its frames, with a confidence interval.</summary>
public sealed record RunEstimate
{
    public required int Run { get; init; }
    public required string File { get; init; }
    /// <summary>The run's P_t when known (from its metadata).</summary>
    public required double? Truth { get; init; }
    public required double Density { get; init; }
    public required int Frames { get; init; }
    /// <summary>Mean of the frame predictions in target space, mapped back to P_t (a geometric mean for a log target).</summary>
    public required double Estimate { get; init; }
    public required double Low { get; init; }
    public required double High { get; init; }
    public required double Confidence { get; init; }
    /// <summary>Time blocks whose means gave the interval (batch means: frames of a run are correlated in time).</summary>
    public required int Blocks { get; init; }
    /// <summary>The run's join keys (<see cref="PepLab.Store.RunKeys"/>); null leaves tumble, replica and seed empty in runs.csv.</summary>
    public PepLab.Store.RunKeys? Keys { get; init; }
}

/// <summary>The numbers of an evaluation.</summary>
public sealed record Evaluation
{
    public required int Frames { get; init; }
    public required int Runs { get; init; }
    /// <summary>Pearson r of predicted against true P_t over single frames.</summary>
    public required double Pearson { get; init; }
    /// <summary>Pearson r of ln(predicted) against ln(true) (NaN when a prediction is not positive).</summary>
    public required double PearsonLog { get; init; }
    /// <summary>Coefficient of determination 1 - SS_res / SS_tot on P_t.</summary>
    public required double R2 { get; init; }
    /// <summary>Mean absolute error on P_t.</summary>
    public required double Mae { get; init; }
    /// <summary>Share of P_t values whose mean +- std of predictions covers the truth (the seed's overlap ratio).</summary>
    public required double OverlapRatio { get; init; }
    /// <summary>Largest |median / truth - 1| over the P_t values.</summary>
    public required double WorstMedianRelativeError { get; init; }
    public required IReadOnlyList<TumbleStats> PerTumble { get; init; }
    public required IReadOnlyList<RunEstimate> RunEstimates { get; init; }
}

/// <summary>Statistics of predictions against the truth (the summary statistics themselves are <see cref="SampleStatistics"/>).</summary>
public static class Metrics
{
    /// <summary>1 - sum (pred - truth)^2 / sum (truth - mean truth)^2.</summary>
    public static double RSquared(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted)
    {
        double m = SampleStatistics.Mean(truth), res = 0, tot = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            res += (predicted[i] - truth[i]) * (predicted[i] - truth[i]);
            tot += (truth[i] - m) * (truth[i] - m);
        }
        return tot > 0 ? 1 - res / tot : double.NaN;
    }

    public static double MeanAbsoluteError(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted)
    {
        if (truth.Length == 0) return double.NaN;
        double s = 0;
        for (int i = 0; i < truth.Length; i++) s += Math.Abs(predicted[i] - truth[i]);
        return s / truth.Length;
    }

    /// <summary>Per-P_t statistics of the predictions.</summary>
    public static IReadOnlyList<TumbleStats> PerTumble(IReadOnlyList<double> truth, IReadOnlyList<double> predicted, IReadOnlyList<int>? runs = null)
    {
        var result = new List<TumbleStats>();
        foreach (var group in Enumerable.Range(0, truth.Count).GroupBy(i => truth[i]).OrderBy(g => g.Key))
        {
            double t = group.Key;
            var p = group.Select(i => predicted[i]).ToArray();
            var sorted = (double[])p.Clone();
            Array.Sort(sorted);
            double mean = SampleStatistics.Mean(p), std = SampleStatistics.StandardDeviation(p), median = SampleStatistics.QuantileSorted(sorted, 0.5);
            result.Add(new TumbleStats
            {
                Tumble = t,
                Frames = p.Length,
                Runs = runs is null ? 0 : group.Select(i => runs[i]).Distinct().Count(),
                Mean = mean,
                Median = median,
                Std = std,
                Bias = mean - t,
                MedianRelativeError = median / t - 1,
                Q05 = SampleStatistics.QuantileSorted(sorted, 0.05),
                Q95 = SampleStatistics.QuantileSorted(sorted, 0.95),
                Min = sorted[0],
                Max = sorted[^1],
                Covers = double.IsFinite(std) ? Math.Abs(mean - t) <= std : mean == t,
            });
        }
        return result;
    }

    /// <summary>
    /// A run's estimate from its frame predictions (in time order, target space): their mean, with a
    /// confidence interval from the means of <paramref name="blocks"/> consecutive time blocks
    /// (Student t), which allows for the correlation of successive frames.
    /// </summary>
    public static (double Estimate, double Low, double High, int Blocks) RunInterval(
        ReadOnlySpan<double> targets, TargetTransform transform, double confidence = 0.95, int blocks = 10)
    {
        int n = targets.Length;
        if (n == 0) return (double.NaN, double.NaN, double.NaN, 0);
        double mean = SampleStatistics.Mean(targets);
        int b = Math.Min(blocks, n);
        if (b < 2) return (transform.FromTarget(mean), double.NaN, double.NaN, b);
        var means = new double[b];
        for (int k = 0; k < b; k++)
        {
            int start = (int)((long)n * k / b), end = (int)((long)n * (k + 1) / b);
            means[k] = SampleStatistics.Mean(targets[start..end]);
        }
        double se = SampleStatistics.StandardDeviation(means) / Math.Sqrt(b);
        double t = StudentT.InvCDF(0, 1, b - 1, 0.5 + confidence / 2);
        return (transform.FromTarget(mean), transform.FromTarget(mean - t * se), transform.FromTarget(mean + t * se), b);
    }

    /// <summary>Everything <c>pep evaluate</c> reports, from per-frame truths and predictions (P_t) in run and time order.</summary>
    public static Evaluation Evaluate(IReadOnlyList<double> truth, IReadOnlyList<double> predicted, IReadOnlyList<int> runs,
        IReadOnlyList<RunEstimate> runEstimates)
    {
        var t = truth.ToArray();
        var p = predicted.ToArray();
        var perTumble = PerTumble(truth, predicted, runs);
        double pearsonLog = p.All(v => v > 0) && t.All(v => v > 0)
            ? SampleStatistics.Pearson(t.Select(v => Math.Log(v)).ToArray(), p.Select(v => Math.Log(v)).ToArray())
            : double.NaN;
        return new Evaluation
        {
            Frames = t.Length,
            Runs = runs.Distinct().Count(),
            Pearson = SampleStatistics.Pearson(t, p),
            PearsonLog = pearsonLog,
            R2 = RSquared(t, p),
            Mae = MeanAbsoluteError(t, p),
            OverlapRatio = perTumble.Count == 0 ? double.NaN : perTumble.Count(s => s.Covers) / (double)perTumble.Count,
            WorstMedianRelativeError = perTumble.Count == 0 ? double.NaN : perTumble.Max(s => Math.Abs(s.MedianRelativeError)),
            PerTumble = perTumble,
            RunEstimates = runEstimates,
        };
    }
}
