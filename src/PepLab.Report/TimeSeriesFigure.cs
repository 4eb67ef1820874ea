using PepLab.Analyse;
using ScottPlot;
using ScottPlot.Plottables;

namespace PepLab.Report;

/// <summary>One curve of a time-series figure: y against x (iterations).</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Iteration of each point.</param>
/// <param name="Y">Value of each point.</param>
/// <param name="Frames">Trajectory frame of each point (null: point i is frame i), so that t0 is reported as a frame.</param>
public sealed record TimeSeriesInput(string Label, double[] X, double[] Y, int[]? Frames = null);

/// <summary>
/// Where a curve reaches its steady state, as drawn: t0 (index in the curve, trajectory frame and x)
/// and the mean ± sd of the points from t0 on (<see cref="SteadyState"/>).
/// </summary>
public sealed record SteadyBand(int T0, int T0Frame, double T0X, double EndX, double Mean, double Sd, double G, double NEff);

/// <summary>
/// A statistic against iteration, one curve per run, with each curve's t0 (<see cref="SteadyState"/>:
/// Chodera's method, as pymbar's detectEquilibration, under PepLab's one exact/fast policy) marked by
/// a dashed vertical line and its steady mean ± sd as a band.
/// </summary>
public sealed class TimeSeriesFigure : Figure
{
    /// <summary>Default pixel size.</summary>
    public const int Width = 1100, Height = 600;

    private TimeSeriesFigure(Plot plot, int width, int height, IReadOnlyList<Scatter> curves, IReadOnlyList<SteadyBand?> steady,
        IReadOnlyList<VerticalLine> markers)
        : base(plot, width, height)
    {
        Curves = curves;
        Steady = steady;
        T0Markers = markers;
    }

    /// <summary>The curves, in input order.</summary>
    public IReadOnlyList<Scatter> Curves { get; }

    /// <summary>The steady state of each curve (null where a value is not finite, e.g. a statistic of an empty frame).</summary>
    public IReadOnlyList<SteadyBand?> Steady { get; }

    /// <summary>
    /// One line per curve with a steady state, named after <paramref name="runs"/> (the runs the figure was
    /// drawn from, in order): "NAME: t0 = iteration X (frame F), steady MEAN ± SD, N_eff = N".
    /// </summary>
    public IEnumerable<string> SteadyLines(IReadOnlyList<RunSeries> runs)
    {
        for (int i = 0; i < runs.Count; i++)
            if (Steady[i] is { } b)
                yield return $"{runs[i].Name}: t0 = iteration {b.T0X.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)} " +
                             $"(frame {b.T0Frame}), steady {Sig(b.Mean)} ± {Sig(b.Sd)}, N_eff = {b.NEff:0.#}";
    }

    /// <summary>The dashed t0 lines, one per curve with a steady state.</summary>
    public IReadOnlyList<VerticalLine> T0Markers { get; }

    /// <summary>
    /// Draws <paramref name="series"/>; <paramref name="yLabel"/> names the statistic with its unit.
    /// With <paramref name="markSteady"/> each curve's t0 and steady band are drawn.
    /// </summary>
    public static TimeSeriesFigure Build(IReadOnlyList<TimeSeriesInput> series, string yLabel, string title,
        bool markSteady = true, int width = Width, int height = Height)
    {
        CheckSize(width, height);
        if (series.Count == 0) throw new ArgumentException("no series to draw", nameof(series));
        var plot = NewPlot(title, "iteration", yLabel);
        var curves = new List<Scatter>();
        var steady = new List<SteadyBand?>();
        var markers = new List<VerticalLine>();
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.X.Length != s.Y.Length) throw new ArgumentException($"series '{s.Label}' has {s.X.Length} x and {s.Y.Length} y values", nameof(series));
            var colour = CurveColours.Category(i);
            var band = markSteady ? Detect(s) : null;
            steady.Add(band);
            if (band is not null)
            {
                var rect = plot.Add.Rectangle(band.T0X, band.EndX, band.Mean - band.Sd, band.Mean + band.Sd);
                rect.FillColor = colour.WithAlpha(0.18);
                rect.LineWidth = 0;
                var mean = plot.Add.Line(band.T0X, band.Mean, band.EndX, band.Mean);
                mean.LineColor = colour;
                mean.LineWidth = 1.5f;
                mean.LinePattern = LinePattern.Dotted;
            }
            var curve = plot.Add.ScatterLine(s.X, s.Y, colour);
            curve.LineWidth = 1.5f;
            curve.LegendText = band is null ? s.Label : $"{s.Label}\n  t0 = {Num(band.T0X)}; steady {Sig(band.Mean)} ± {Sig(band.Sd)}";
            curves.Add(curve);
            if (band is not null)
            {
                var line = plot.Add.VerticalLine(band.T0X, 1.5f, colour, LinePattern.Dashed);
                markers.Add(line);
            }
        }
        if (markSteady && steady.Any(b => b is not null))
        {
            var grey = SiteColours.ToColor(0xFF555555);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "t0 (Chodera's method)", LineColor = grey, LineWidth = 1.5f, LinePattern = LinePattern.Dashed });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "steady mean ± sd\n  (frames from t0 on)", FillColor = grey.WithAlpha(0.25), LineColor = grey, LinePattern = LinePattern.Dotted });
        }
        plot.Legend.DisplayPlottableLegendItems = true;
        plot.ShowLegend(Edge.Right);
        plot.Axes.Margins(0.02, 0.08);
        return new TimeSeriesFigure(plot, width, height, curves, steady, markers);
    }

    /// <summary>The steady state of one series (<see cref="SteadyState"/>, default policy), or null when a value is not finite.</summary>
    public static SteadyBand? Detect(TimeSeriesInput s)
    {
        if (s.Y.Length == 0 || s.Y.Any(v => !double.IsFinite(v))) return null;
        var steady = new SteadyState().Compute(s.Y, s.Frames, s.Label);
        return new SteadyBand(steady.T0, steady.T0Frame, s.X[steady.T0], s.X[^1], steady.Mean, steady.Sd, steady.G, steady.NEff);
    }

    /// <summary>Axis label (with unit) of a per-frame statistic.</summary>
    public static string StatisticLabel(FrameStatistic statistic) => statistic switch
    {
        FrameStatistic.Clusters => "number of clusters",
        FrameStatistic.Mean => "mean cluster size N/K (particles)",
        FrameStatistic.WeightedMean => "weighted mean cluster size Σs²/Σs (particles)",
        FrameStatistic.Largest => "largest cluster / N (fraction of particles)",
        FrameStatistic.Polarisation => "global polarisation |⟨e⟩| (0 to 1)",
        _ => statistic.Name(),
    };

    /// <summary>One curve per analysed run, labelled by its parameters (or its name when parameters repeat).</summary>
    public static TimeSeriesFigure FromRuns(IReadOnlyList<RunSeries> runs, FrameStatistic statistic, bool markSteady = true,
        int width = Width, int height = Height, string? title = null)
    {
        var labels = RunLabels(runs);
        var inputs = runs.Select((r, i) => new TimeSeriesInput(labels[i], r.Iterations.Select(x => (double)x).ToArray(), r.Series(statistic), r.FrameIndices)).ToList();
        title ??= $"{char.ToUpperInvariant(StatisticLabel(statistic)[0])}{StatisticLabel(statistic)[1..]} over time";
        return Build(inputs, StatisticLabel(statistic), title, markSteady, width, height);
    }

    /// <summary>"Pₜ = …, ρ = …" per run; the file name is added where two runs share parameters.</summary>
    public static string[] RunLabels(IReadOnlyList<RunSeries> runs)
    {
        var labels = runs.Select(r => RunLabel(r.Info.Tumble, r.Info.DensityRequested)).ToArray();
        var repeated = labels.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        for (int i = 0; i < labels.Length; i++)
            if (repeated.Contains(labels[i])) labels[i] += $" ({runs[i].Name})";
        return labels;
    }
}
