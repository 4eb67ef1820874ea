using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using PepLab.Tests;
using ScottPlot.Plottables;

namespace PepLab.Report.Tests;

public class StatisticsFigureTests
{
    private static double[] StepThenNoise(int before, int after, double low, double high, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, before).Select(_ => low + 0.1 * rng.NextDouble())
            .Concat(Enumerable.Range(0, after).Select(_ => high + 0.1 * rng.NextDouble())).ToArray();
    }

    [Fact]
    public void TimeSeriesMarksEachCurvesT0AndSteadyBand()
    {
        using var dir = new TempDir();
        var a = StepThenNoise(30, 120, 0, 5, 1);
        var b = StepThenNoise(60, 90, 10, 2, 2);
        var xa = Enumerable.Range(0, a.Length).Select(i => 100.0 + 10 * i).ToArray();
        var xb = Enumerable.Range(0, b.Length).Select(i => 7.0 * i).ToArray();
        var figure = TimeSeriesFigure.Build([new("run a", xa, a), new("run b", xb, b)], "weighted mean (particles)", "two runs", width: 640, height: 420);

        Assert.Equal(2, figure.Curves.Count);
        Assert.Equal(2, figure.Plot.GetPlottables<Scatter>().Count());
        Assert.Equal(xa, figure.Curves[0].Data.GetScatterPoints().Select(p => p.X));
        Assert.Equal(b, figure.Curves[1].Data.GetScatterPoints().Select(p => p.Y));
        for (int k = 0; k < 2; k++)
        {
            var (x, y) = k == 0 ? (xa, a) : (xb, b);
            var exact = Equilibration.DetectEquilibration(y);
            var band = figure.Steady[k]!;
            Assert.Equal(exact.T0, band.T0);
            Assert.Equal(x[exact.T0], band.T0X);
            Assert.Equal(x[exact.T0], figure.T0Markers[k].X);
            Assert.Equal(y[exact.T0..].Average(), band.Mean, 12);
            Assert.Equal(x[^1], band.EndX);
        }
        // the step is found: t0 is at the jump, not early in the transient nor late in the steady part
        Assert.InRange(figure.Steady[0]!.T0, 27, 35);
        Assert.InRange(figure.Steady[1]!.T0, 57, 65);
        Assert.InRange(figure.Steady[0]!.Mean, 5, 5.1);
        Assert.Equal(2, figure.Plot.GetPlottables<ScottPlot.Plottables.Rectangle>().Count());

        string path = dir.File("ts.png");
        figure.SavePng(path);
        Assert.Equal((640, 420), Fixtures.PngSize(path));
    }

    [Fact]
    public void TimeSeriesWithoutSteadyMarksOrWithTooShortSeries()
    {
        // Too short to detect: t0 = 0 and g = 1, PepLab's one rule; the band covers the whole curve.
        var figure = TimeSeriesFigure.Build([new("short", [10, 20, 30], [1, 2, 3], [5, 6, 7])], "y", "t");
        var band = figure.Steady[0]!;
        Assert.Equal((0, 5, 10.0, 1.0), (band.T0, band.T0Frame, band.T0X, band.G));
        Assert.Equal(2.0, band.Mean, 12);
        Assert.Equal(1.0, band.Sd, 12);
        Assert.Single(figure.T0Markers);
        // A non-finite value (a statistic of an empty frame): no band.
        var empty = TimeSeriesFigure.Build([new("empty frame", [0, 1, 2, 3, 4], [1, 2, double.NaN, 2, 1])], "y", "t");
        Assert.Null(empty.Steady[0]);
        Assert.Empty(empty.T0Markers);
        var plain = TimeSeriesFigure.Build([new("long", [0, 1, 2, 3, 4, 5], [1, 2, 3, 2, 1, 2])], "y", "t", markSteady: false);
        Assert.Null(plain.Steady[0]);
        Assert.Empty(plain.Plot.GetPlottables<VerticalLine>());
    }

    [Fact]
    public void TimeSeriesFromRunsLabelsRunsAndRepeatsGetTheirName()
    {
        var lattice = new Lattice(4, 4);
        RunSeries Run(string name, double tumble, double density) => new()
        {
            Name = name,
            Path = name + ".h5",
            Info = TrajectoryInfo.FromRun(new RunParameters { Nx = 4, Ny = 4, Density = density, Tumble = tumble, Snapshots = 5, Interval = 1, Seed = 1 }),
            FrameIndices = [0, 1, 2, 3, 4],
            Iterations = [0, 1, 2, 3, 4],
            Frames = Enumerable.Range(0, 5).Select(i => new FrameStatistics(4, 2, 2, 2 + i % 2, 2, 0.5, 0, 0)).ToArray(),
        };
        var runs = new[] { Run("a", 0.1, 0.2), Run("b", 0.1, 0.2), Run("c", 0.3, 0.2) };
        Assert.Equal(["Pₜ = 0.1, ρ = 0.2 (a)", "Pₜ = 0.1, ρ = 0.2 (b)", "Pₜ = 0.3, ρ = 0.2"], TimeSeriesFigure.RunLabels(runs));
        var figure = TimeSeriesFigure.FromRuns(runs, FrameStatistic.WeightedMean);
        Assert.Equal(3, figure.Curves.Count);
        Assert.Equal([2.0, 3, 2, 3, 2], figure.Curves[2].Data.GetScatterPoints().Select(p => p.Y));
        Assert.Contains("Σs²/Σs", figure.Plot.Axes.Left.Label.Text);
        _ = lattice;
    }

    [Fact]
    public void SizeCurvesAreTheBinnedDistributionWithEmptyBinsLeftOut()
    {
        var d = new ClusterSizeDistribution();
        d.AddFrame([1, 1, 1, 1, 1, 1, 2, 2, 2, 5]);
        d.AddFrame([1, 1, 1, 1, 2, 2, 5, 5, 9, 9]);
        var curve = SizeDistributionFigure.Curve("x", d, SizeBinning.Linear(1));
        Assert.Equal([1.0, 2, 5, 9], curve.Sizes);
        Assert.Equal([10 / 20.0, 5 / 20.0, 3 / 20.0, 2 / 20.0], curve.Density);
        Assert.Equal(20, curve.Clusters);
        Assert.Equal(2, curve.Frames);

        var other = new ClusterSizeDistribution();
        other.AddFrame([1, 3, 3, 40]);
        var figure = SizeDistributionFigure.Build([("Pₜ = 0.1", d), ("Pₜ = 0.2", other)], "sizes", width: 500, height: 400);
        Assert.Equal(2, figure.Scatters.Count);
        // drawn as log10 of the curve's numbers
        var points = figure.Scatters[1].Data.GetScatterPoints();
        Assert.Equal(figure.Curves[1].Sizes.Select(Math.Log10), points.Select(p => p.X));
        Assert.Equal(figure.Curves[1].Density.Select(Math.Log10), points.Select(p => p.Y));
        // log bins: every size counted once, the density sums to 1 once widths are put back
        var log = SizeDistributionFigure.Curve("log", other);
        Assert.Equal(1.0, other.Histogram(SizeBinning.Logarithmic(10)).Sum(b => b.Probability), 12);
        var bins = other.Histogram(SizeBinning.Logarithmic(10));
        Assert.Equal(4, bins.Sum(b => b.Clusters));
        Assert.Equal(bins.Where(b => b.Clusters > 0).Select(b => b.Centre), log.Sizes);
        Assert.Equal(3, log.Sizes.Length); // sizes 1, 3 and 40 fall in three bins
        using var dir = new TempDir();
        figure.SavePng(dir.File("sizes.png"));
        Assert.Equal((500, 400), Fixtures.PngSize(dir.File("sizes.png")));
    }

    [Fact]
    public void LargestPointsPoolReplicasAndCurvesRunPerTumble()
    {
        RunSeries Run(double tumble, double density, params double[] largest) => new()
        {
            Name = $"t{tumble}_d{density}",
            Path = "x.h5",
            Info = TrajectoryInfo.FromRun(new RunParameters { Nx = 10, Ny = 10, Density = density, Tumble = tumble, Snapshots = largest.Length, Interval = 1, Seed = 1 }),
            FrameIndices = Enumerable.Range(0, largest.Length).ToArray(),
            Iterations = Enumerable.Range(0, largest.Length).Select(i => (long)i).ToArray(),
            Frames = largest.Select(l => new FrameStatistics(10, 3, 3, 4, (int)(l * 10), l, 0, 0)).ToArray(),
        };
        var runs = new[]
        {
            Run(0.5, 0.3, 0.2, 0.4), Run(0.1, 0.3, 0.5, 0.7), Run(0.1, 0.1, 0.1, 0.3),
            Run(0.1, 0.3, 0.6), // replica of (0.1, 0.3)
        };
        var points = LargestClusterFigure.Points(runs);
        Assert.Equal(3, points.Count);
        var pooled = points.Single(p => p.Tumble == 0.1 && p.Density == 0.3);
        Assert.Equal(0.6, pooled.Mean, 12);
        Assert.Equal(0.1, pooled.Sd, 12); // sd of 0.5, 0.7, 0.6
        Assert.Equal(3, pooled.Frames);
        Assert.Equal(2, pooled.Runs);

        var figure = LargestClusterFigure.Build(points, "largest", 600, 400);
        Assert.Equal(2, figure.Curves.Count);
        Assert.Equal([0.1, 0.3], figure.Curves[0].Select(p => p.Density));
        Assert.Equal([0.2, 0.6], figure.Curves[0].Select(p => p.Mean).Select(v => Math.Round(v, 12)));
        Assert.Equal("Pₜ = 0.1", figure.Scatters[0].LegendText);
        Assert.Equal("Pₜ = 0.5", figure.Scatters[1].LegendText);
        Assert.Equal(2, figure.Plot.GetPlottables<ErrorBar>().Count());
    }

    [Fact]
    public void SteadyTrimsFromT0AndGroupsByParameter()
    {
        var y = StepThenNoise(20, 80, 0, 3, 5);
        var run = new RunSeries
        {
            Name = "r",
            Path = "r.h5",
            Info = TrajectoryInfo.FromRun(new RunParameters { Nx = 4, Ny = 4, Density = 0.25, Tumble = 0.1, Snapshots = y.Length, Interval = 1, Seed = 1 }),
            FrameIndices = Enumerable.Range(0, y.Length).ToArray(),
            Iterations = Enumerable.Range(0, y.Length).Select(i => (long)i).ToArray(),
            Frames = y.Select(v => new FrameStatistics(4, 1, 4, v, 4, 1, 0, 0)).ToArray(),
        };
        var steady = RunGroups.Steady(run, FrameStatistic.WeightedMean);
        Assert.Equal(y.Length - Equilibration.DetectEquilibration(y).T0, steady.Count);
        Assert.Equal(run.Iterations[^steady.Count], steady.Iterations[0]);
        Assert.InRange(y.Length - steady.Count, 17, 25);
        Assert.Equal(SweptParameter.Density, RunGroups.Parse("rho"));
        Assert.Throws<PepLabInputException>(() => RunGroups.Parse("speed"));
    }

    [Fact]
    public void LogTicksLabelRoundValuesAndNarrowRangesGetMore()
    {
        var narrow = LogAxis.Ticks(0.0156, 0.34);
        Assert.Equal([0.02, 0.05, 0.1, 0.2], narrow.Where(t => t.Major).Select(t => Math.Round(t.Value, 12)));
        Assert.All(narrow, t => Assert.Equal(Math.Log10(t.Value), t.Position, 12));
        var wide = LogAxis.Ticks(1, 20000);
        Assert.Equal([1.0, 10, 100, 1000, 10000], wide.Where(t => t.Major).Select(t => Math.Round(t.Value, 6)));
        Assert.Contains(wide, t => !t.Major && Math.Abs(t.Value - 3000) < 1e-6);
        Assert.Equal("0.05", LogAxis.Label(0.05));
        Assert.Equal("1e+6", LogAxis.Label(1e6));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogAxis.Ticks(0, 1));
    }
}
