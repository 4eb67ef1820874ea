using PepLab.Analyse;

namespace PepLab.Learn.Tests;

public class MetricsTests
{
    [Fact]
    public void PearsonOfAConstantSeriesIsUndefinedEvenWhenRoundingMovesItsMean()
    {
        // ln(0.015625) * 1000: the mean differs from every value in the last bit.
        var constant = Enumerable.Repeat(Math.Log(0.015625), 1000).ToArray();
        var other = Enumerable.Range(0, 1000).Select(i => Math.Sin(i)).ToArray();
        Assert.True(double.IsNaN(SampleStatistics.Pearson(constant, other)));
        Assert.True(double.IsNaN(SampleStatistics.Pearson(other, constant)));
    }

    [Fact]
    public void MatchHandComputedValues()
    {
        double[] truth = [0.1, 0.1, 0.1, 0.4, 0.4, 0.4];
        double[] pred = [0.1, 0.15, 0.3, 0.3, 0.4, 0.6];
        // By hand: mean truth 0.25, mean pred 1.85/6; sxy = 0.055 + 0.52 - 6 * 0.25 * 1.85/6 = 0.1125,
        // sxx = 0.135, syy = 0.7325 - 1.85^2/6.
        Assert.Equal(0.1125 / Math.Sqrt(0.135 * (0.7325 - 1.85 * 1.85 / 6)), SampleStatistics.Pearson(truth, pred), 12);
        // R^2 = 1 - SS_res / SS_tot = 1 - (0 + 0.0025 + 0.04 + 0.01 + 0 + 0.04) / 0.135
        Assert.Equal(1 - 0.0925 / 0.135, Metrics.RSquared(truth, pred), 12);
        Assert.Equal(0.55 / 6, Metrics.MeanAbsoluteError(truth, pred), 12);
        Assert.Equal(0.35, SampleStatistics.Median([0.3, 0.4, 0.6, 0.3]), 12);
        Assert.Equal(0.1, SampleStatistics.StandardDeviation([0.1, 0.2, 0.3]), 12);

        var per = Metrics.PerTumble(truth, pred, [0, 0, 0, 1, 1, 1]);
        Assert.Equal(2, per.Count);
        Assert.Equal(0.1, per[0].Tumble);
        Assert.Equal(0.55 / 3, per[0].Mean, 12);
        Assert.Equal(0.15, per[0].Median, 12);
        Assert.Equal(Math.Sqrt(0.0325 / 3), per[0].Std, 12);   // deviations -1/12, -1/30, 7/60
        Assert.Equal(0.25 / 3, per[0].Bias, 12);
        Assert.Equal(0.5, per[0].MedianRelativeError, 12);
        Assert.True(per[0].Covers);            // bias 0.083 <= std 0.104
        Assert.Equal(0.4333333333333333, per[1].Mean, 12);
        Assert.Equal(0.0, per[1].MedianRelativeError, 12);
        Assert.Equal(0.15275252316519466, per[1].Std, 12);
        Assert.True(per[1].Covers);
        Assert.Equal(0.31, per[1].Q05, 12); // numpy: position 0.05 * 2 = 0.1 between 0.3 and 0.4
        var e = Metrics.Evaluate(truth, pred, [0, 0, 0, 1, 1, 1], []);
        Assert.Equal(1.0, e.OverlapRatio);
        Assert.Equal(0.5, e.WorstMedianRelativeError, 12);
        Assert.Equal(2, e.Runs);
        var shifted = Metrics.PerTumble([1.0, 1.0, 1.0], [2.0, 2.1, 1.9]);
        Assert.False(shifted[0].Covers);       // |2 - 1| > 0.1
    }

    [Fact]
    public void PerTumbleMediansOfEvenSizedGroupsAverageTheTwoMiddlePredictions()
    {
        // Groups of 4 and 6 predictions, given out of order: the median is the mean of the two middle
        // values (numpy.median), not either of them.
        double[] truth = [0.1, 0.4, 0.1, 0.4, 0.1, 0.4, 0.1, 0.4, 0.4, 0.4];
        double[] pred = [0.14, 0.5, 0.08, 0.3, 0.12, 0.2, 0.2, 0.45, 0.35, 0.7];
        var per = Metrics.PerTumble(truth, pred);
        Assert.Equal(2, per.Count);
        Assert.Equal(4, per[0].Frames);
        Assert.Equal(0.13, per[0].Median, 12);                  // sorted 0.08 0.12 | 0.14 0.2
        Assert.Equal(0.3, per[0].MedianRelativeError, 12);
        Assert.Equal(0.08 + 0.15 * 0.04, per[0].Q05, 12);      // numpy: position 0.05 * 3 = 0.15
        Assert.Equal(0.14 + 0.85 * 0.06, per[0].Q95, 12);      // position 2.85
        Assert.Equal(6, per[1].Frames);
        Assert.Equal(0.4, per[1].Median, 12);                   // sorted 0.2 0.3 0.35 | 0.45 0.5 0.7
        Assert.Equal(0.0, per[1].MedianRelativeError, 12);
        Assert.Equal(0.2 + 0.25 * 0.1, per[1].Q05, 12);        // position 0.25
        Assert.Equal(0.5 + 0.75 * 0.2, per[1].Q95, 12);        // position 4.75
        var e = Metrics.Evaluate(truth, pred, [0, 1, 0, 1, 0, 1, 0, 1, 1, 1], []);
        Assert.Equal(0.3, e.WorstMedianRelativeError, 12);
    }

    [Fact]
    public void RunIntervalUsesBlockMeans()
    {
        // 4 blocks of 2 frames: block means 1, 2, 3, 4 -> mean 2.5, sd 1.291, se 0.6455, t(3, 0.975) = 3.182446
        double[] values = [1, 1, 2, 2, 3, 3, 4, 4];
        var (estimate, low, high, blocks) = Metrics.RunInterval(values, TargetTransform.Identity, 0.95, 4);
        Assert.Equal(4, blocks);
        Assert.Equal(2.5, estimate, 12);
        double half = 3.182446305284263 * Math.Sqrt(5.0 / 3) / 2;
        Assert.Equal(2.5 - half, low, 9);
        Assert.Equal(2.5 + half, high, 9);
        // Log target: the estimate is the geometric mean.
        var (g, gl, gh, _) = Metrics.RunInterval([Math.Log(0.1), Math.Log(0.4)], TargetTransform.Log, 0.95, 2);
        Assert.Equal(0.2, g, 12);
        Assert.True(gl < 0.2 && gh > 0.2);
    }
}
