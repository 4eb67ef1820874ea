using PepLab.Core;
using PepLab.Tests;
using ScottPlot.Plottables;

namespace PepLab.Report.Tests;

public class LearningFigureTests
{
    [Fact]
    public void TrainingCurvesDrawBothLossesAndROnTheRightAxis()
    {
        double[] epochs = [1, 2, 3, 4];
        double[] train = [1.0, 0.5, 0.1, 0.02];
        double[] val = [1.2, 0.7, 0.3, 0.2];
        double[] r = [0.5, 0.8, 0.9, 0.95];
        var figure = LearningFigures.TrainingCurves(epochs, train, val, r, "MAE");
        Assert.Equal(3, figure.Series.Count);
        Assert.Equal(["training MAE", "validation MAE", "validation Pearson r (right axis)"], figure.Series.Select(s => s.LegendText));
        // losses span a factor 60: log axis, so the drawn y is log10(loss)
        Assert.Equal(train.Select(Math.Log10), figure.Series[0].Data.GetScatterPoints().Select(p => p.Y));
        Assert.Same(figure.Plot.Axes.Right, figure.Series[2].Axes.YAxis);
        Assert.Equal(r, figure.Series[2].Data.GetScatterPoints().Select(p => p.Y));
        var linear = LearningFigures.TrainingCurves(epochs, [1, 0.9, 0.8, 0.7], [1, 1, 0.9, 0.9]);
        Assert.Equal(2, linear.Series.Count);
        Assert.Equal([1, 0.9, 0.8, 0.7], linear.Series[0].Data.GetScatterPoints().Select(p => p.Y));
        Assert.Throws<PepLabInputException>(() => LearningFigures.TrainingCurves(epochs, [1, 2], val));
        using var dir = new TempDir();
        figure.SavePng(dir.File("t.png"), 600, 400);
        Assert.Equal((600, 400), Fixtures.PngSize(dir.File("t.png")));
    }

    [Fact]
    public void ScoreAgainstDrawsOneLinePerCurveDashedCurvesShareTheColourBefore()
    {
        double[] x = [0.1, 0.2, 0.3];
        var figure = LearningFigures.ScoreAgainst(
        [
            new ScoreCurve("a per frame", x, [0.5, double.NaN, 0.3]),
            new ScoreCurve("a per run", x, [0.2, 0.1, 0.05], Dashed: true),
            new ScoreCurve("b per frame", x, [0.6, 0.4, 0.3]),
        ], "t", "density", "error", yRange: (0, 1));
        Assert.Equal(["a per frame", "a per run", "b per frame"], figure.Series.Select(s => s.LegendText));
        // the NaN point is left out of its line
        Assert.Equal([0.1, 0.3], figure.Series[0].Data.GetScatterPoints().Select(p => p.X));
        Assert.Equal(figure.Series[0].Color, figure.Series[1].Color);
        Assert.NotEqual(figure.Series[0].Color, figure.Series[2].Color);
        Assert.Equal(ScottPlot.LinePattern.Dashed, figure.Series[1].LinePattern);
        Assert.Equal((0.0, 1.0), (figure.Plot.Axes.Left.Min, figure.Plot.Axes.Left.Max));
        Assert.Throws<PepLabInputException>(() => LearningFigures.ScoreAgainst([], "t", "x", "y"));
        Assert.Throws<PepLabInputException>(() => LearningFigures.ScoreAgainst([new ScoreCurve("c", x, [1.0])], "t", "x", "y"));
    }

    [Fact]
    public void PredictionsAreGroupedPerTrueValueWithNumpyQuantiles()
    {
        double[] truth = [0.1, 0.1, 0.1, 0.1, 0.4, 0.4, 0.4, 0.1];
        double[] pred = [0.12, 0.08, 0.10, 0.30, 0.35, 0.45, 0.40, 0.11];
        var groups = LearningFigures.Group(truth, pred);
        Assert.Equal(2, groups.Count);
        var g = groups[0];
        Assert.Equal(0.1, g.True);
        Assert.Equal(5, g.Count);
        Assert.Equal(0.11, g.Median, 12);           // sorted 0.08 0.10 0.11 0.12 0.30
        Assert.Equal(0.10, g.Q25, 12);
        Assert.Equal(0.12, g.Q75, 12);
        Assert.Equal(0.08 + 0.2 * 0.02, g.Q05, 12); // numpy: position 0.2 between 0.08 and 0.10
        Assert.Equal(0.4, groups[1].Median, 12);
        double[] x = [1, 2, 3, 4], y = [2, 4, 6, 8.5];
        Assert.Equal(10.75 / Math.Sqrt(5 * 23.1875), LearningFigures.Pearson(x, y), 12); // by hand: cov 10.75, var 5 and 23.1875
        Assert.Equal(1.0, LearningFigures.Pearson(truth, truth), 12);
    }

    [Fact]
    public void EvenSizedGroupsHaveTheMeanOfTheTwoMiddlePredictionsAsMedian()
    {
        double[] truth = [0.1, 0.4, 0.1, 0.4, 0.1, 0.4, 0.1, 0.4, 0.4, 0.4];
        double[] pred = [0.14, 0.5, 0.08, 0.3, 0.12, 0.2, 0.2, 0.45, 0.35, 0.7];
        var groups = LearningFigures.Group(truth, pred);
        Assert.Equal([4, 6], groups.Select(g => g.Count));
        Assert.Equal(0.13, groups[0].Median, 12);              // sorted 0.08 0.12 | 0.14 0.2
        Assert.Equal(0.08 + 0.75 * 0.04, groups[0].Q25, 12);  // numpy: position 0.75
        Assert.Equal(0.4, groups[1].Median, 12);               // sorted 0.2 0.3 0.35 | 0.45 0.5 0.7
        Assert.Equal(0.3 + 0.25 * 0.05, groups[1].Q25, 12);   // position 1.25
        Assert.Equal(0.45 + 0.75 * 0.05, groups[1].Q75, 12);  // position 3.75
    }

    [Fact]
    public void PredictedVsTrueDrawsMediansOnLogAxesAndCountsNonPositivePredictions()
    {
        double[] truth = [0.02, 0.02, 0.02, 0.2, 0.2, 0.2];
        double[] pred = [0.01, 0.03, 0.02, 0.25, -0.1, 0.2];
        var figure = LearningFigures.PredictedVsTrue(truth, pred);
        var medians = figure.Series[^1].Data.GetScatterPoints();
        Assert.Equal([Math.Log10(0.02), Math.Log10(0.2)], medians.Select(p => p.X));
        Assert.Equal(Math.Log10(0.02), medians[0].Y, 12);
        Assert.Equal(Math.Log10(0.2), medians[1].Y, 12);
        Assert.Contains(figure.Plot.Legend.ManualItems, i => i.LabelText.StartsWith("1 prediction ≤ 0"));
        Assert.Equal(6, figure.Series[0].Data.GetScatterPoints().Count);
        Assert.Equal(LearningFigures.Pearson(truth, pred), figure.PearsonR);
        Assert.Contains($"r = {figure.PearsonR:0.0000}", figure.Plot.Axes.Title.Label.Text);
        using var dir = new TempDir();
        figure.SavePng(dir.File("p.png"));
        Assert.Equal((figure.DefaultWidth, figure.DefaultHeight), Fixtures.PngSize(dir.File("p.png")));
    }

    [Fact]
    public void ViolinsAreSymmetricKernelDensitiesOfTheErrors()
    {
        var rng = new Random(2);
        var truth = new List<double>();
        var pred = new List<double>();
        foreach (var t in new[] { 0.05, 0.1, 0.3 })
            for (int i = 0; i < 200; i++) { truth.Add(t); pred.Add(t + (t == 0.3 ? -0.05 : 0) + 0.01 * (rng.NextDouble() - 0.5)); }
        var figure = LearningFigures.ErrorViolins(truth.ToArray(), pred.ToArray());
        Assert.Equal(3, figure.Violins.Count);
        Assert.Equal(3, figure.Plot.GetPlottables<Polygon>().Count());
        Assert.Equal([0.0, 1, 2], figure.Violins.Select(v => v.Position));
        var biased = figure.Violins[2];
        Assert.InRange(biased.Median, -0.051, -0.049); // the error, not the prediction
        Assert.Equal(200, biased.Count);
        Assert.Equal(0.42, figure.Violins.Max(v => v.HalfWidth.Max()), 12);
        // the polygon is the outline mirrored about the violin's position
        var polygon = figure.Plot.GetPlottables<Polygon>().Last();
        var left = polygon.Coordinates.Take(biased.Y.Length).ToArray();
        var right = polygon.Coordinates.Skip(biased.Y.Length).Reverse().ToArray();
        for (int i = 0; i < left.Length; i++)
        {
            Assert.Equal(4, left[i].X + right[i].X, 9); // 2 - half + 2 + half
            Assert.Equal(left[i].Y, right[i].Y);
            Assert.Equal(biased.HalfWidth[i], 2 - left[i].X, 9);
        }
        // the kernel estimate is a density: it integrates to 1
        var values = Enumerable.Range(0, 50).Select(i => rng.NextDouble()).Order().ToArray();
        double h = LearningFigures.Bandwidth(values), sum = 0, step = 0.001;
        for (double x = -1; x < 2; x += step) sum += LearningFigures.Kde(values, h, x) * step;
        Assert.Equal(1.0, sum, 3);
    }

    [Fact]
    public void FilterMosaicPlacesEveryWeightAndSeparatesPanels()
    {
        int filters = 2, channels = 3, k = 3;
        var w = new float[filters][][][];
        for (int f = 0; f < filters; f++)
        {
            w[f] = new float[channels][][];
            for (int c = 0; c < channels; c++)
            {
                w[f][c] = new float[k][];
                for (int i = 0; i < k; i++)
                {
                    w[f][c][i] = new float[k];
                    for (int j = 0; j < k; j++) w[f][c][i][j] = 1000 * f + 100 * c + 10 * i + j;
                }
            }
        }
        var mosaic = LearningFigures.FilterMosaic(w, out int size);
        Assert.Equal(3, size);
        Assert.Equal((2 * 4 - 1, 3 * 4 - 1), (mosaic.GetLength(0), mosaic.GetLength(1)));
        Assert.Equal(1212, mosaic[4 + 1, 8 + 2]); // filter 1, channel 2, cell (1, 2)
        Assert.Equal(0, mosaic[0, 0]);
        Assert.True(double.IsNaN(mosaic[3, 0]));  // gap row between filters
        Assert.True(double.IsNaN(mosaic[0, 3]));  // gap column between channels
        var figure = LearningFigures.FilterImages(w, ["empty", "up", "right"]);
        Assert.Same(figure.Mosaic, figure.Plot.GetPlottables<Heatmap>().Single().Intensities);
        var heatmap = figure.Plot.GetPlottables<Heatmap>().Single();
        Assert.Equal(-1222, heatmap.ManualRange!.Value.Min); // symmetric about 0 at the largest |w|
        Assert.Equal(1222, heatmap.ManualRange!.Value.Max);
        using var dir = new TempDir();
        figure.SavePng(dir.File("f.png"));
        Assert.Equal((figure.DefaultWidth, figure.DefaultHeight), Fixtures.PngSize(dir.File("f.png")));
        w[1][0] = [[1, 2], [3, 4]];
        Assert.Throws<PepLabInputException>(() => LearningFigures.FilterMosaic(w, out _));
        Assert.Throws<PepLabInputException>(() => LearningFigures.FilterImages(w, ["a"]));
    }
}
