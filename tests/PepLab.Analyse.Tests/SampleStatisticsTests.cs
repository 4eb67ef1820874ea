namespace PepLab.Analyse.Tests;

public class SampleStatisticsTests
{
    [Fact]
    public void QuantilesInterpolateLinearlyAsNumpy()
    {
        // numpy.quantile([1, 2, 3, 4], q): position q * 3 between order statistics.
        double[] x = [4, 1, 3, 2];
        Assert.Equal(1.75, SampleStatistics.Quantile(x, 0.25), 12);
        Assert.Equal(2.5, SampleStatistics.Median(x), 12);
        Assert.Equal(3.25, SampleStatistics.Quantile(x, 0.75), 12);
        Assert.Equal(1.15, SampleStatistics.Quantile(x, 0.05), 12);
        Assert.Equal(3.85, SampleStatistics.Quantile(x, 0.95), 12);
        Assert.Equal(1, SampleStatistics.Quantile(x, 0));
        Assert.Equal(4, SampleStatistics.Quantile(x, 1));
        Assert.Equal([4.0, 1, 3, 2], x); // the input is not sorted in place
        Assert.Equal(3, SampleStatistics.Median([5.0, 1, 3]));
        Assert.Equal(0.35, SampleStatistics.QuantileSorted([0.3, 0.3, 0.4, 0.6], 0.5), 12);
        Assert.Equal(7, SampleStatistics.Median([7.0]));
        Assert.True(double.IsNaN(SampleStatistics.Median([])));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleStatistics.Quantile(x, 1.5));
    }

    [Fact]
    public void MeanAndSampleStandardDeviation()
    {
        Assert.Equal(0.2, SampleStatistics.Mean([0.1, 0.2, 0.3]), 12);
        Assert.Equal(0.1, SampleStatistics.StandardDeviation([0.1, 0.2, 0.3]), 12);
        Assert.Equal(Math.Sqrt(2.5), SampleStatistics.StandardDeviation([1.0, 2, 3, 4, 5]), 12);
        Assert.True(double.IsNaN(SampleStatistics.Mean([])));
        Assert.True(double.IsNaN(SampleStatistics.StandardDeviation([3.0])));
    }

    [Fact]
    public void PearsonIsUndefinedForConstantOrTooShortSamples()
    {
        double[] x = [1, 2, 3, 4], y = [2, 4, 6, 8.5];
        Assert.Equal(10.75 / Math.Sqrt(5 * 23.1875), SampleStatistics.Pearson(x, y), 12); // cov 10.75, var 5 and 23.1875
        Assert.Equal(-1.0, SampleStatistics.Pearson(x, [8.0, 6, 4, 2]), 12);
        // ln(0.015625) * 1000: the mean differs from every value in the last bit.
        var constant = Enumerable.Repeat(Math.Log(0.015625), 1000).ToArray();
        var other = Enumerable.Range(0, 1000).Select(i => Math.Sin(i)).ToArray();
        Assert.True(double.IsNaN(SampleStatistics.Pearson(constant, other)));
        Assert.True(double.IsNaN(SampleStatistics.Pearson(other, constant)));
        Assert.True(double.IsNaN(SampleStatistics.Pearson([1.0], [2.0])));
        Assert.Throws<ArgumentException>(() => SampleStatistics.Pearson(x, y[1..]));
    }
}
