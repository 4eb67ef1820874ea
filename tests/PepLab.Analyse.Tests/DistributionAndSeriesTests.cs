using PepLab.Core;
using PepLab.Store;
using PepLab.Tests;

namespace PepLab.Analyse.Tests;

public class DistributionAndSeriesTests
{
    [Fact]
    public void LinearBinsCountEverySize()
    {
        var d = new ClusterSizeDistribution();
        d.AddFrame([1, 1, 2, 5]);
        d.AddFrame([1, 3]);
        Assert.Equal(2, d.Frames);
        Assert.Equal(6, d.Clusters);
        Assert.Equal(13, d.Particles);
        Assert.Equal(5, d.MaxSize);
        var bins = d.Histogram(SizeBinning.Linear());
        Assert.Equal([1, 2, 3, 4, 5], bins.Select(b => b.Lower));
        Assert.Equal([3L, 1, 1, 0, 1], bins.Select(b => b.Clusters));
        Assert.Equal(0.5, bins[0].Probability);
        Assert.Equal(3 / 13.0, bins[0].ParticleShare, 12);
        Assert.Equal(1, bins.Sum(b => b.Probability), 12);
        Assert.Equal(1, bins.Sum(b => b.ParticleShare), 12);

        var wide = d.Histogram(SizeBinning.Linear(2));
        Assert.Equal([1, 3, 5], wide.Select(b => b.Lower));
        Assert.Equal([4L, 1, 1], wide.Select(b => b.Clusters));
        Assert.Equal(4 / 6.0 / 2, wide[0].Density, 12);
    }

    [Fact]
    public void LogarithmicBinsHoldWholeSizesAndCoverAll()
    {
        var d = new ClusterSizeDistribution();
        var rng = new Random(3);
        var sizes = Enumerable.Range(0, 5000).Select(_ => (int)Math.Ceiling(Math.Pow(1 - rng.NextDouble(), -1.5))).Select(s => Math.Min(s, 3000)).ToArray();
        d.AddFrame(sizes);
        var bins = d.Histogram(SizeBinning.Logarithmic(5));
        Assert.Equal(1, bins[0].Lower);
        for (int i = 0; i < bins.Count; i++)
        {
            Assert.True(bins[i].Width >= 1);
            if (i > 0) Assert.Equal(bins[i - 1].Upper, bins[i].Lower);
        }
        Assert.True(bins[^1].Upper > d.MaxSize);
        Assert.Equal(sizes.Length, bins.Sum(b => b.Clusters));
        Assert.Equal(sizes.Sum(s => (long)s), bins.Sum(b => b.Particles));
        // Bin widths grow geometrically: the last bins are much wider than the first.
        Assert.True(bins[^2].Width > 10 * bins[0].Width);
        // Density * width gives back the probability.
        Assert.All(bins, b => Assert.Equal(b.Probability, b.Density * b.Width, 12));
    }

    [Fact]
    public void PoolingTwoDistributionsEqualsAddingAllFrames()
    {
        var a = new ClusterSizeDistribution();
        var b = new ClusterSizeDistribution();
        var all = new ClusterSizeDistribution();
        a.AddFrame([1, 2, 2]);
        b.AddFrame([200, 1]);
        all.AddFrame([1, 2, 2]);
        all.AddFrame([200, 1]);
        a.Add(b);
        Assert.Equal(all.Histogram(SizeBinning.Logarithmic()), a.Histogram(SizeBinning.Logarithmic()));
        Assert.Equal(2, a.Count(1));
        Assert.Equal(1, a.Count(200));
    }

    [Theory]
    [InlineData("weighted_mean", FrameStatistic.WeightedMean)]
    [InlineData("Weighted-Mean", FrameStatistic.WeightedMean)]
    [InlineData("clusters", FrameStatistic.Clusters)]
    [InlineData("largest", FrameStatistic.Largest)]
    [InlineData("polarisation", FrameStatistic.Polarisation)]
    [InlineData("mean", FrameStatistic.Mean)]
    public void StatisticNames(string name, FrameStatistic expected)
    {
        Assert.Equal(expected, FrameStatisticNames.Parse(name));
        Assert.Equal(expected, FrameStatisticNames.Parse(expected.Name()));
    }

    [Fact]
    public void UnknownStatisticListsTheValidNames()
    {
        var e = Assert.Throws<PepLabInputException>(() => FrameStatisticNames.Parse("biggest"));
        Assert.Contains("biggest", e.Message);
        Assert.Contains("clusters, mean, weighted_mean, largest, polarisation", e.Message);
    }

    [Theory]
    [InlineData("2:5", 10, 2, 5)]
    [InlineData("2:", 10, 2, 10)]
    [InlineData(":3", 10, 0, 3)]
    [InlineData("-4:", 10, 6, 10)]
    [InlineData("7", 10, 7, 8)]
    [InlineData("-1", 10, 9, 10)]
    [InlineData(":", 10, 0, 10)]
    public void FrameRanges(string text, int count, int start, int end)
    {
        Assert.Equal((start, end), FrameRange.Parse(text).Resolve(count));
    }

    [Theory]
    [InlineData("5:20", 10)]
    [InlineData("10:", 10)]
    [InlineData("-11:", 10)]
    [InlineData("6:3", 10)]
    public void FrameRangesOutsideTheRunAreInputErrors(string text, int count)
    {
        Assert.Throws<PepLabInputException>(() => FrameRange.Parse(text).Resolve(count));
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("1:2:3")]
    [InlineData("")]
    public void MalformedFrameRanges(string text)
    {
        Assert.Throws<PepLabInputException>(() => FrameRange.Parse(text));
    }

    /// <summary>A tiny trajectory of hand-made frames with known statistics.</summary>
    internal static string WriteKnownTrajectory(TempDir dir, string name = "known.h5")
    {
        var p = new RunParameters { Nx = 4, Ny = 6, Density = 4 / 24.0, Tumble = 0.5, Snapshots = 3, Interval = 2, Warmup = 0 };
        var info = TrajectoryInfo.FromRun(p);
        string path = dir.File(name);
        using (var w = TrajectoryWriter.Create(path, info))
        {
            var (_, f0) = FrameSketch.Draw("#....#", "......", "......", "#....#"); // one cluster of 4 (corners)
            var (_, f1) = FrameSketch.Draw(">.>...", "......", "..>...", "...>.."); // four singletons, all right
            var (_, f2) = FrameSketch.Draw("^^....", "......", "..v...", "..v..."); // 2 + 2
            w.Write(0, 0, f0);
            w.Write(1, 2, f1);
            w.Write(2, 4, f2);
            w.Complete();
        }
        return path;
    }

    [Fact]
    public void RunSeriesOfAKnownTrajectory()
    {
        using var dir = new TempDir();
        string path = WriteKnownTrajectory(dir);
        int reported = 0;
        var run = RunAnalysis.Analyse(path, keepSizes: true, framesDone: n => reported += n, cancellation: TestContext.Current.CancellationToken);
        Assert.Equal(3, reported);
        Assert.Equal("known", run.Name);
        Assert.Equal([0L, 2, 4], run.Iterations);
        Assert.Equal([1.0, 4, 2], run.Series(FrameStatistic.Clusters));
        Assert.Equal([4.0, 1, 2], run.Series(FrameStatistic.WeightedMean));
        Assert.Equal([1.0, 0.25, 0.5], run.Series(FrameStatistic.Largest));
        Assert.Equal(1.0, run.Series(FrameStatistic.Polarisation)[1]);
        Assert.Equal(0.0, run.Series(FrameStatistic.Polarisation)[2]);
        Assert.Equal([2, 2], run.Sizes![2]);
        var tail = run.From(1);
        Assert.Equal([2L, 4], tail.Iterations);
        var dist = tail.SizeDistribution();
        Assert.Equal(6, dist.Clusters);
        Assert.Equal(4, dist.Count(1));

        var part = RunAnalysis.Analyse(path, FrameRange.Parse("1:2"), cancellation: TestContext.Current.CancellationToken);
        Assert.Equal([1], part.FrameIndices);
        Assert.Null(part.Sizes);
        Assert.Throws<PepLabInputException>(() => RunAnalysis.Analyse(path, FrameRange.Parse("2:9"), cancellation: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void ManyFilesComeBackInOrder()
    {
        using var dir = new TempDir();
        var paths = Enumerable.Range(0, 5).Select(i => WriteKnownTrajectory(dir, $"run{i}.h5")).ToArray();
        Assert.Equal(paths, PepLab.Store.DataSet.TrajectoryFiles(dir.Path));
        var order = new List<int>();
        RunAnalysis.AnalyseFiles(paths, jobs: 3, range: null, keepSizes: false, (i, run) =>
        {
            order.Add(i);
            Assert.Equal($"run{i}", run.Name);
        }, cancellation: TestContext.Current.CancellationToken);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Throws<PepLabInputException>(() => PepLab.Store.DataSet.TrajectoryFiles(dir.File("missing")));
    }
}
