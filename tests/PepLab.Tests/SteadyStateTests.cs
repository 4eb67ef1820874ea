using PepLab.Core;
using PepLab.Simulate;

namespace PepLab.Tests;

/// <summary>
/// The simulator reproduces the original kernel's steady-state cluster statistics (REFERENCE.md:
/// 128x128, speed 10, 500 warm-up iterations, snapshots 500..999 of 1000).
/// </summary>
public class SteadyStateTests
{
    private sealed class Collect(int from) : IFrameSink
    {
        public readonly List<double> WeightedMeans = new();
        public void Write(int index, long iteration, ReadOnlySpan<byte> frame)
        {
            if (index >= from) WeightedMeans.Add(ClusterOracle.WeightedMean(ClusterOracle.Sizes(frame, 128, 128)));
        }
    }

    // P_t values are numpy's logspace(-6, -1, 10, base=2)[4] and [8], as the original sampler used.
    [Theory]
    [InlineData(4, 7.05)]
    [InlineData(8, 2.65)]
    public void WeightedMeanClusterSizeMatchesTheOriginal(int tumbleIndex, double reference)
    {
        double pt = Math.Pow(2, -6 + tumbleIndex * 5.0 / 9);
        var p = new RunParameters { Density = 0.15, Tumble = pt, Seed = 2024 + (ulong)tumbleIndex };
        var sink = new Collect(from: 500);
        RunSchedule.Execute(p, sink, cancellation: TestContext.Current.CancellationToken);
        var series = sink.WeightedMeans;
        Assert.Equal(500, series.Count);

        double mean = series.Average();
        // Standard error by block averaging: 10 blocks of 50 snapshots.
        var blocks = Enumerable.Range(0, 10).Select(b => series.Skip(50 * b).Take(50).Average()).ToArray();
        double blockMean = blocks.Average();
        double sem = Math.Sqrt(blocks.Sum(x => (x - blockMean) * (x - blockMean)) / (blocks.Length - 1) / blocks.Length);
        double tolerance = 3 * sem + 0.02 * reference;
        Assert.True(Math.Abs(mean - reference) <= tolerance,
            $"P_t = {pt:0.0000}: weighted mean {mean:0.000} vs original {reference} (SEM {sem:0.000}, tolerance {tolerance:0.000})");
    }
}
