using PepLab.Core;
using PepLab.Tests;

namespace PepLab.Analyse.Tests;

public class SteadyStateTests
{
    /// <summary>A relaxation from <paramref name="start"/> to 0 with AR(1) noise, <paramref name="n"/> points.</summary>
    private static double[] Relaxing(int n, double start, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n];
        double a = start, ar = 0;
        for (int t = 0; t < n; t++)
        {
            ar = 0.7 * ar + rng.NextDouble() - 0.5;
            x[t] = a + ar;
            a *= 0.95;
        }
        return x;
    }

    [Fact]
    public void ResultsAreRefusedBeforeCompute()
    {
        var steady = new SteadyState();
        Assert.Throws<InvalidOperationException>(() => steady.T0);
        Assert.Throws<InvalidOperationException>(() => steady.T0Frame);
        Assert.Throws<InvalidOperationException>(() => steady.G);
        Assert.Throws<InvalidOperationException>(() => steady.Mean);
        Assert.Throws<InvalidOperationException>(() => steady.MserT0);
        Assert.Throws<InvalidOperationException>(() => steady.SteadyRun);
        // A plain series has no run to trim.
        steady.Compute(Relaxing(50, 5, 1));
        Assert.Throws<InvalidOperationException>(() => steady.SteadyRun);
    }

    [Fact]
    public void TheDefaultPolicyIsExactUpToTheLimitAndFastAbove()
    {
        Assert.Equal(SteadyStateMethod.Exact, SteadyState.Resolve(SteadyStateMethod.Auto, SteadyState.ExactLimit));
        Assert.Equal(SteadyStateMethod.Fast, SteadyState.Resolve(SteadyStateMethod.Auto, SteadyState.ExactLimit + 1));
        Assert.Equal(SteadyStateMethod.Exact, SteadyState.Resolve(SteadyStateMethod.Exact, 10 * SteadyState.ExactLimit));

        var shortSeries = Relaxing(300, 5, 2);
        var exact = Equilibration.DetectEquilibration(shortSeries);
        var auto = new SteadyState().Compute(shortSeries);
        Assert.Equal(SteadyStateMethod.Exact, auto.MethodUsed);
        Assert.Equal((exact.T0, exact.G, exact.NEff), (auto.T0, auto.G, auto.NEff));

        var longSeries = Relaxing(SteadyState.ExactLimit + 1, 5, 3);
        var fast = Equilibration.DetectEquilibrationFast(longSeries);
        var autoLong = new SteadyState().Compute(longSeries);
        Assert.Equal(SteadyStateMethod.Fast, autoLong.MethodUsed);
        Assert.Equal((fast.T0, fast.G, fast.NEff), (autoLong.T0, autoLong.G, autoLong.NEff));
    }

    [Fact]
    public void AnExplicitMethodIsUsedWhateverTheLength()
    {
        var series = Relaxing(200, 5, 4);
        var lags = Equilibration.DetectEquilibration(series, increasingLagSteps: true);
        var withLags = new SteadyState(SteadyStateMethod.ExactIncreasingLags).Compute(series);
        Assert.Equal((lags.T0, lags.G, lags.NEff), (withLags.T0, withLags.G, withLags.NEff));
        var fast = Equilibration.DetectEquilibrationFast(series);
        var withFast = new SteadyState(SteadyStateMethod.Fast).Compute(series);
        Assert.Equal(SteadyStateMethod.Fast, withFast.MethodUsed);
        Assert.Equal((fast.T0, fast.G), (withFast.T0, withFast.G));
    }

    [Fact]
    public void SteadyMeanSdAndMserComeFromTheSteadyPart()
    {
        var series = EquilibrationTests.Step();
        var steady = new SteadyState().Compute(series);
        Assert.True(steady.Detected);
        Assert.Equal(41, steady.T0); // pymbar's answer (EquilibrationTests)
        var tail = series[41..];
        Assert.Equal(tail.Average(), steady.Mean, 12);
        Assert.Equal(Math.Sqrt(tail.Sum(v => (v - tail.Average()) * (v - tail.Average())) / (tail.Length - 1)), steady.Sd, 12);
        Assert.Equal(Equilibration.Mser(series).T0, steady.MserT0);
        Assert.Equal(200, steady.Points);
    }

    [Theory]
    [InlineData(new double[] { 4.0 })]
    [InlineData(new double[] { 1.0, 5.0, 3.0 })]
    [InlineData(new double[] { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 })]
    [InlineData(new double[] { 7, 7, 7, 7, 7, 7 })]
    public void ShortOrConstantSeriesStartAtZeroWithGOne(double[] series)
    {
        var steady = new SteadyState().Compute(series);
        Assert.False(steady.Detected);
        Assert.Equal((0, 1.0, 1.0, 0), (steady.T0, steady.G, steady.NEff, steady.MserT0));
        Assert.Equal(series.Average(), steady.Mean, 12);
        Assert.Equal(series.Length == 1 ? 0 : SampleStatistics.StandardDeviation(series), steady.Sd);
    }

    [Fact]
    public void NonFiniteOrEmptySeriesAreRefusedNamingTheSeries()
    {
        var e = Assert.Throws<PepLabInputException>(() => new SteadyState().Compute([1, 2, double.NaN, 4, 5], subject: "run_a (weighted_mean)"));
        Assert.Contains("run_a (weighted_mean)", e.Message);
        Assert.Throws<PepLabInputException>(() => new SteadyState().Compute([]));
    }

    [Fact]
    public void TZeroIsReportedInFramesOfTheFile()
    {
        var series = EquilibrationTests.Step();
        var frames = Enumerable.Range(0, series.Length).Select(i => 500 + 2 * i).ToArray();
        var steady = new SteadyState().Compute(series, frames);
        Assert.Equal(41, steady.T0);
        Assert.Equal(500 + 2 * 41, steady.T0Frame);
        Assert.Equal(frames[steady.MserT0], steady.MserT0Frame);
        Assert.Throws<ArgumentException>(() => steady.Compute(series, frames[1..]));
    }

    [Fact]
    public void ARunIsTrimmedToItsSteadyFrames()
    {
        using var dir = new TempDir();
        var p = new RunParameters { Nx = 16, Ny = 16, Density = 0.3, Tumble = 0.05, Snapshots = 80, Warmup = 0, Interval = 2, Seed = 9 };
        string path = dir.File("run.h5");
        PepLab.Simulate.Recorder.Record(p, path, cancellation: TestContext.Current.CancellationToken);
        var run = RunAnalysis.Analyse(path, new FrameRange(10, null), cancellation: TestContext.Current.CancellationToken);
        var steady = new SteadyState(statistic: FrameStatistic.Clusters).Compute(run);
        var expected = new SteadyState().Compute(run.Series(FrameStatistic.Clusters), run.FrameIndices);
        Assert.Equal((expected.T0, expected.T0Frame), (steady.T0, steady.T0Frame));
        Assert.Equal(10 + steady.T0, steady.T0Frame);
        var trimmed = steady.SteadyRun;
        Assert.Equal(run.Count - steady.T0, trimmed.Count);
        Assert.Equal(steady.T0Frame, trimmed.FrameIndices[0]);
        Assert.Equal(run.Iterations[^1], trimmed.Iterations[^1]);
    }
}
