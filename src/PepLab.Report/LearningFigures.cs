using PepLab.Analyse;
using PepLab.Core;
using ScottPlot;
using ScottPlot.Plottables;
using ScottPlot.TickGenerators;

namespace PepLab.Report;

/// <summary>Predictions for one true Pₜ: their count and spread.</summary>
public sealed record PredictionGroup(double True, int Count, double Median, double Q25, double Q75, double Q05, double Q95, double Mean, double Sd);

/// <summary>A violin as drawn: its centre, the outline half-widths at each y, and the quartiles.</summary>
public sealed record Violin(double Position, double True, double[] Y, double[] HalfWidth, double Median, double Q25, double Q75, int Count);

/// <summary>One curve of a score against a swept parameter (one setting): x increasing, a dashed line for a secondary score.</summary>
public sealed record ScoreCurve(string Label, double[] X, double[] Y, bool Dashed = false);

/// <summary>A generic figure returned by the learning-stage builders, with the plottables tests look at.</summary>
public sealed class LearningFigure : Figure
{
    internal LearningFigure(Plot plot, int width, int height) : base(plot, width, height) { }

    /// <summary>Curves and point series, in drawing order.</summary>
    public List<Scatter> Series { get; } = [];

    /// <summary>Per-Pₜ groups of predictions (prediction figures).</summary>
    public IReadOnlyList<PredictionGroup> Groups { get; internal set; } = [];

    /// <summary>Violins (error-violin figure).</summary>
    public IReadOnlyList<Violin> Violins { get; internal set; } = [];

    /// <summary>The filter mosaic (filter-image figure): filters as rows, channels as columns, NaN between panels.</summary>
    public double[,]? Mosaic { get; internal set; }

    /// <summary>Pearson correlation of predicted with true values (prediction figures).</summary>
    public double PearsonR { get; internal set; } = double.NaN;
}

/// <summary>
/// Figures of the learning stage, from plain arrays (as read from its CSV files): training curves,
/// predicted against true Pₜ, error violins per Pₜ, and first-layer filters.
/// </summary>
public static class LearningFigures
{
    /// <summary>
    /// Training and validation loss against epoch (left axis; logarithmic when the losses span more
    /// than a factor 20) and, when given, the validation Pearson r (right axis, 0 to 1).
    /// </summary>
    public static LearningFigure TrainingCurves(double[] epochs, double[] trainLoss, double[] valLoss, double[]? valR = null,
        string lossName = "loss", string title = "Training curves", int width = 900, int height = 560)
    {
        Figure.CheckSize(width, height);
        Same(epochs.Length, trainLoss.Length, "train loss");
        Same(epochs.Length, valLoss.Length, "validation loss");
        if (valR is not null) Same(epochs.Length, valR.Length, "validation r");
        if (epochs.Length == 0) throw new PepLabInputException("epochs", "no epoch to draw");
        var losses = trainLoss.Concat(valLoss).Where(double.IsFinite).ToArray();
        bool log = losses.Length > 0 && losses.All(v => v > 0) && losses.Max() / losses.Min() > 20;
        var plot = Figure.NewPlot(title, "epoch", log ? $"{lossName} (log scale)" : lossName);
        var figure = new LearningFigure(plot, width, height);
        var train = plot.Add.Scatter(epochs, log ? LogAxis.Log10(trainLoss) : trainLoss, CurveColours.Category(0));
        train.LegendText = $"training {lossName}";
        train.LineWidth = 2;
        var val = plot.Add.Scatter(epochs, log ? LogAxis.Log10(valLoss) : valLoss, CurveColours.Category(1));
        val.LegendText = $"validation {lossName}";
        val.LineWidth = 2;
        figure.Series.Add(train);
        figure.Series.Add(val);
        if (log) LogAxis.Apply(plot, plot.Axes.Left, losses.Min(), losses.Max());
        if (valR is not null)
        {
            var r = plot.Add.Scatter(epochs, valR, CurveColours.Category(2));
            r.LegendText = "validation Pearson r (right axis)";
            r.LineWidth = 2;
            r.LinePattern = LinePattern.Dashed;
            r.MarkerShape = MarkerShape.OpenCircle;
            r.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "validation Pearson r";
            plot.Axes.Right.Label.FontSize = Figure.LabelSize;
            plot.Axes.Right.Label.FontName = FigureFonts.Family;
            double low = Math.Min(0, valR.Where(double.IsFinite).DefaultIfEmpty(0).Min());
            plot.Axes.SetLimitsY(low, 1.02, plot.Axes.Right);
            figure.Series.Add(r);
        }
        plot.ShowLegend(Alignment.UpperRight);
        return figure;
    }

    /// <summary>Groups predictions by true Pₜ (equal up to rounding), increasing.</summary>
    public static IReadOnlyList<PredictionGroup> Group(double[] truePt, double[] predicted)
    {
        Same(truePt.Length, predicted.Length, "predictions");
        var groups = new List<PredictionGroup>();
        var order = Enumerable.Range(0, truePt.Length).Where(i => double.IsFinite(truePt[i]) && double.IsFinite(predicted[i])).OrderBy(i => truePt[i]).ToList();
        int k = 0;
        while (k < order.Count)
        {
            double t = truePt[order[k]];
            var values = new List<double>();
            while (k < order.Count && RunGroups.Same(truePt[order[k]], t)) values.Add(predicted[order[k++]]);
            var sorted = values.Order().ToArray();
            double mean = SampleStatistics.Mean(sorted);
            double sd = sorted.Length > 1 ? SampleStatistics.StandardDeviation(sorted) : 0;
            groups.Add(new PredictionGroup(t, sorted.Length, Q(sorted, 0.5), Q(sorted, 0.25), Q(sorted, 0.75), Q(sorted, 0.05), Q(sorted, 0.95), mean, sd));
        }
        return groups;
    }

    /// <summary>
    /// Predicted against true Pₜ on log-log axes: every prediction as a faint point, each true Pₜ's median
    /// with its interquartile range (thick) and 5-95% range (thin), and the line of perfect prediction.
    /// Predictions &lt;= 0 cannot sit on a log axis: they are drawn at the bottom edge and counted in the legend.
    /// </summary>
    public static LearningFigure PredictedVsTrue(double[] truePt, double[] predicted, string title = "Predicted vs true tumbling probability",
        int width = 820, int height = 720, int maxPoints = 20000)
    {
        Figure.CheckSize(width, height);
        var groups = Group(truePt, predicted);
        if (groups.Count == 0) throw new PepLabInputException("predictions", "no finite (true, predicted) pair to draw");
        if (groups.Any(g => g.True <= 0)) throw new PepLabInputException("predictions", "true Pₜ must be positive for a log axis");
        double r = Pearson(truePt, predicted);
        var positive = predicted.Where(p => p > 0 && double.IsFinite(p)).ToArray();
        double lo = Math.Min(groups.Min(g => g.True), positive.Length > 0 ? positive.Min() : groups.Min(g => g.True));
        double hi = Math.Max(groups.Max(g => g.True), positive.Length > 0 ? positive.Max() : groups.Max(g => g.True));
        double floor = lo / 1.5;
        int clipped = predicted.Count(p => double.IsFinite(p) && p <= 0);

        var plot = Figure.NewPlot($"{title} (Pearson r = {r:0.0000})", "true Pₜ", "predicted Pₜ");
        var figure = new LearningFigure(plot, width, height) { Groups = groups, PearsonR = r };
        int stride = Math.Max(1, truePt.Length / Math.Max(1, maxPoints));
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < truePt.Length; i += stride)
        {
            if (!double.IsFinite(truePt[i]) || !double.IsFinite(predicted[i])) continue;
            xs.Add(Math.Log10(truePt[i]));
            ys.Add(Math.Log10(Math.Max(predicted[i], floor)));
        }
        var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), CurveColours.Category(0).WithAlpha(0.12));
        points.MarkerSize = 4;
        points.LegendText = stride == 1 ? "predictions" : $"predictions (every {stride}th)";
        figure.Series.Add(points);

        var ideal = plot.Add.Line(Math.Log10(floor), Math.Log10(floor), Math.Log10(hi * 1.5), Math.Log10(hi * 1.5));
        ideal.LineColor = Colors.Black;
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LegendText = "perfect prediction";

        double[] gx = groups.Select(g => Math.Log10(g.True)).ToArray();
        double Log(double v) => Math.Log10(Math.Max(v, floor));
        var outer = new ErrorBar(gx, groups.Select(g => Log(g.Median)).ToArray(), null, null,
            groups.Select(g => Log(g.Q95) - Log(g.Median)).ToArray(), groups.Select(g => Log(g.Median) - Log(g.Q05)).ToArray())
        { Color = CurveColours.Category(1), LineWidth = 1, CapSize = 6 };
        plot.Add.Plottable(outer);
        var inner = new ErrorBar(gx, groups.Select(g => Log(g.Median)).ToArray(), null, null,
            groups.Select(g => Log(g.Q75) - Log(g.Median)).ToArray(), groups.Select(g => Log(g.Median) - Log(g.Q25)).ToArray())
        { Color = CurveColours.Category(1), LineWidth = 4, CapSize = 0 };
        plot.Add.Plottable(inner);
        var medians = plot.Add.Scatter(gx, groups.Select(g => Log(g.Median)).ToArray(), CurveColours.Category(1));
        medians.LineWidth = 0;
        medians.MarkerSize = 9;
        medians.LegendText = "median per Pₜ (bars: 25-75%, 5-95%)";
        figure.Series.Add(medians);
        if (clipped > 0)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{clipped} prediction{(clipped == 1 ? "" : "s")} ≤ 0 drawn at {Figure.Num(floor)}", LineColor = Colors.Gray });
        LogAxis.Apply(plot, plot.Axes.Bottom, floor, hi * 1.5, 0);
        LogAxis.Apply(plot, plot.Axes.Left, floor, hi * 1.5, 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return figure;
    }

    /// <summary>
    /// Violins of the prediction error (predicted − true) for each true Pₜ, side by side: a Gaussian kernel
    /// density estimate (Silverman's bandwidth) mirrored about the centre, with the median (vermillion dot)
    /// and interquartile range (bar); the dashed line is zero error.
    /// </summary>
    public static LearningFigure ErrorViolins(double[] truePt, double[] predicted, string title = "Prediction error per tumbling probability",
        int width = 900, int height = 600)
    {
        Figure.CheckSize(width, height);
        Same(truePt.Length, predicted.Length, "predictions");
        var groups = Group(truePt, predicted);
        if (groups.Count == 0) throw new PepLabInputException("predictions", "no finite (true, predicted) pair to draw");
        var plot = Figure.NewPlot(title, "true Pₜ", "prediction error: predicted − true Pₜ");
        var figure = new LearningFigure(plot, width, height) { Groups = groups };
        var violins = new List<Violin>();
        var ticks = new NumericManual();
        for (int g = 0; g < groups.Count; g++)
        {
            double t = groups[g].True;
            var errors = Enumerable.Range(0, truePt.Length)
                .Where(i => double.IsFinite(truePt[i]) && double.IsFinite(predicted[i]) && RunGroups.Same(truePt[i], t))
                .Select(i => predicted[i] - truePt[i]).Order().ToArray();
            var violin = MakeViolin(g, t, errors, 0.42);
            violins.Add(violin);
            var colour = CurveColours.Ordered(g, groups.Count);
            var outline = new List<Coordinates>();
            for (int i = 0; i < violin.Y.Length; i++) outline.Add(new Coordinates(g - violin.HalfWidth[i], violin.Y[i]));
            for (int i = violin.Y.Length - 1; i >= 0; i--) outline.Add(new Coordinates(g + violin.HalfWidth[i], violin.Y[i]));
            var polygon = plot.Add.Polygon(outline.ToArray());
            polygon.FillColor = colour.WithAlpha(0.55);
            polygon.LineColor = colour;
            polygon.LineWidth = 1.5f;
            var iqr = plot.Add.Line(g, violin.Q25, g, violin.Q75);
            iqr.LineWidth = 5;
            iqr.LineColor = Colors.Black;
            var median = plot.Add.Marker(g, violin.Median, MarkerShape.FilledCircle, 9, SiteColours.ToColor(0xFFD55E00));
            if (g == 0)
            {
                median.LegendText = "median";
                iqr.LegendText = "25-75%";
            }
            ticks.AddMajor(g, $"{Figure.Num(t)}\nn = {violin.Count}");
        }
        figure.Violins = violins;
        var zero = plot.Add.HorizontalLine(0, 1, Colors.Black, LinePattern.Dashed);
        zero.LegendText = "zero error";
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, groups.Count - 0.4);
        plot.ShowLegend(Alignment.UpperRight);
        return figure;
    }

    /// <summary>The violin of sorted <paramref name="errors"/> at <paramref name="position"/>, widest point <paramref name="maxHalfWidth"/>.</summary>
    public static Violin MakeViolin(double position, double truePt, double[] errors, double maxHalfWidth, int points = 100)
    {
        if (errors.Length == 0) throw new ArgumentException("a violin needs at least one value", nameof(errors));
        var sorted = errors.Order().ToArray();
        double lo = sorted[0], hi = sorted[^1];
        double h = Bandwidth(sorted);
        double y0 = lo - 2 * h, y1 = hi + 2 * h;
        var y = new double[points];
        var density = new double[points];
        for (int i = 0; i < points; i++)
        {
            y[i] = y0 + (y1 - y0) * i / (points - 1);
            density[i] = Kde(sorted, h, y[i]);
        }
        double peak = density.Max();
        var half = density.Select(d => peak > 0 ? maxHalfWidth * d / peak : 0).ToArray();
        return new Violin(position, truePt, y, half, Q(sorted, 0.5), Q(sorted, 0.25), Q(sorted, 0.75), sorted.Length);
    }

    /// <summary>Gaussian kernel density estimate of <paramref name="values"/> at <paramref name="x"/> with bandwidth <paramref name="h"/>.</summary>
    public static double Kde(IReadOnlyList<double> values, double h, double x)
    {
        double sum = 0;
        foreach (var v in values)
        {
            double u = (x - v) / h;
            sum += Math.Exp(-0.5 * u * u);
        }
        return sum / (values.Count * h * Math.Sqrt(2 * Math.PI));
    }

    /// <summary>Silverman's rule of thumb, 0.9 min(sd, IQR/1.34) n^(-1/5), with a floor for constant data.</summary>
    public static double Bandwidth(double[] sorted)
    {
        int n = sorted.Length;
        double mean = SampleStatistics.Mean(sorted);
        double sd = n > 1 ? SampleStatistics.StandardDeviation(sorted) : 0;
        double iqr = (Q(sorted, 0.75) - Q(sorted, 0.25)) / 1.34;
        double spread = iqr > 0 ? Math.Min(sd, iqr) : sd;
        double h = 0.9 * spread * Math.Pow(n, -0.2);
        return h > 0 ? h : Math.Max(1e-6, Math.Abs(mean) * 1e-3);
    }

    /// <summary>
    /// First-layer filters as a grid of small heatmaps: one row per filter, one column per input channel,
    /// a diverging colour scale symmetric about zero (blue negative, red positive) with a colour bar.
    /// <paramref name="weights"/> is [filter][channel][row][column].
    /// </summary>
    public static LearningFigure FilterImages(float[][][][] weights, IReadOnlyList<string>? channelNames = null,
        string title = "First-layer filters", int? width = null, int? height = null)
    {
        var mosaic = FilterMosaic(weights, out int k);
        int filters = weights.Length, channels = weights[0].Length;
        if (channelNames is not null && channelNames.Count != channels)
            throw new PepLabInputException("channel names", $"{channelNames.Count} names for {channels} channels");
        int w = width ?? Math.Clamp(220 + 95 * channels, 420, 3000), h = height ?? Math.Clamp(120 + 95 * filters, 300, 4000);
        Figure.CheckSize(w, h);
        var plot = Figure.NewPlot(title, "input channel", "filter");
        var figure = new LearningFigure(plot, w, h) { Mosaic = mosaic };
        double max = 0;
        foreach (var v in mosaic) if (double.IsFinite(v)) max = Math.Max(max, Math.Abs(v));
        if (max == 0) max = 1;
        var heatmap = plot.Add.Heatmap(mosaic);
        heatmap.Colormap = new ScottPlot.Colormaps.Balance();
        heatmap.ManualRange = new ScottPlot.Range(-max, max);
        heatmap.NaNCellColor = Colors.White;
        int rows = mosaic.GetLength(0), cols = mosaic.GetLength(1);
        heatmap.Extent = new CoordinateRect(0, cols, 0, rows);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "weight";
        var xTicks = new NumericManual();
        for (int c = 0; c < channels; c++) xTicks.AddMajor(c * (k + 1) + k / 2.0, channelNames?[c] ?? $"{c}");
        var yTicks = new NumericManual();
        for (int f = 0; f < filters; f++) yTicks.AddMajor(rows - (f * (k + 1) + k / 2.0), $"{f}");
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.SetLimits(0, cols, 0, rows);
        plot.HideGrid();
        SnapshotFigure.FixImageLayout(plot, w, h, cols, rows, left: 70, top: 44, bottom: 58, right: 130);
        return figure;
    }

    /// <summary>
    /// The mosaic of <see cref="FilterImages"/>: filter f, channel c, kernel cell (i, j) at
    /// [f (k + 1) + i, c (k + 1) + j]; NaN in the one-cell gaps between panels.
    /// </summary>
    public static double[,] FilterMosaic(float[][][][] weights, out int k)
    {
        if (weights.Length == 0 || weights[0].Length == 0 || weights[0][0].Length == 0)
            throw new PepLabInputException("filters", "no filter weights to draw");
        int filters = weights.Length, channels = weights[0].Length;
        k = weights[0][0].Length;
        var mosaic = new double[filters * (k + 1) - 1, channels * (k + 1) - 1];
        for (int r = 0; r < mosaic.GetLength(0); r++)
            for (int c = 0; c < mosaic.GetLength(1); c++) mosaic[r, c] = double.NaN;
        for (int f = 0; f < filters; f++)
        {
            if (weights[f].Length != channels) throw new PepLabInputException("filters", $"filter {f} has {weights[f].Length} channels, filter 0 {channels}");
            for (int c = 0; c < channels; c++)
            {
                if (weights[f][c].Length != k) throw new PepLabInputException("filters", $"filter {f} channel {c} has {weights[f][c].Length} rows, expected {k}");
                for (int i = 0; i < k; i++)
                {
                    if (weights[f][c][i].Length != k) throw new PepLabInputException("filters", $"filter {f} channel {c} row {i} has {weights[f][c][i].Length} columns, expected {k}");
                    for (int j = 0; j < k; j++) mosaic[f * (k + 1) + i, c * (k + 1) + j] = weights[f][c][i][j];
                }
            }
        }
        return mosaic;
    }

    /// <summary>
    /// A score against a swept parameter (accuracy against density): one line with markers per curve,
    /// solid curves in the categorical colours in order, a dashed curve in the colour of the solid one
    /// before it (so "per frame" and "per run" of one setting share a colour). Points with a non-finite
    /// y are left out of their curve. <paramref name="yRange"/> fixes the y axis (e.g. r up to 1).
    /// </summary>
    public static LearningFigure ScoreAgainst(IReadOnlyList<ScoreCurve> curves, string title, string xLabel, string yLabel,
        (double Min, double Max)? yRange = null, Alignment legend = Alignment.LowerRight, int width = 900, int height = 560)
    {
        Figure.CheckSize(width, height);
        if (curves.Count == 0) throw new PepLabInputException("curves", "no curve to draw");
        var plot = Figure.NewPlot(title, xLabel, yLabel);
        var figure = new LearningFigure(plot, width, height);
        int colour = -1;
        foreach (var c in curves)
        {
            Same(c.X.Length, c.Y.Length, c.Label);
            if (!c.Dashed || colour < 0) colour++;
            var keep = Enumerable.Range(0, c.X.Length).Where(i => double.IsFinite(c.X[i]) && double.IsFinite(c.Y[i])).ToArray();
            var line = plot.Add.Scatter(keep.Select(i => c.X[i]).ToArray(), keep.Select(i => c.Y[i]).ToArray(), CurveColours.Category(colour));
            line.LegendText = c.Label;
            line.LineWidth = 2;
            line.MarkerSize = c.X.Length > 40 ? 3 : 6;
            if (c.Dashed)
            {
                line.LinePattern = LinePattern.Dashed;
                line.MarkerShape = MarkerShape.OpenCircle;
            }
            figure.Series.Add(line);
        }
        if (yRange is { } y) plot.Axes.SetLimitsY(y.Min, y.Max);
        plot.ShowLegend(legend);
        return figure;
    }

    /// <summary>
    /// Pearson's r (<see cref="SampleStatistics.Pearson"/>) over the pairs where both values are finite,
    /// as the figures draw them: NaN with fewer than 2 pairs or when either side is constant.
    /// </summary>
    public static double Pearson(double[] x, double[] y)
    {
        Same(x.Length, y.Length, "values");
        var finite = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return SampleStatistics.Pearson(finite.Select(i => x[i]).ToArray(), finite.Select(i => y[i]).ToArray());
    }

    private static double Q(double[] sorted, double q) => SampleStatistics.QuantileSorted(sorted, q);

    private static void Same(int expected, int actual, string what)
    {
        if (expected != actual) throw new PepLabInputException(what, $"has {actual} values for {expected} epochs/points");
    }
}
