using PepLab.Analyse;
using ScottPlot;
using ScottPlot.Plottables;

namespace PepLab.Report;

/// <summary>One curve of a size-distribution figure: the binned distribution as drawn (bins with no cluster left out).</summary>
/// <param name="Label">Legend text.</param>
/// <param name="Sizes">Bin centres (cluster sizes, particles).</param>
/// <param name="Density">P(s) per unit size at each centre.</param>
/// <param name="Clusters">Clusters pooled into the curve.</param>
/// <param name="Frames">Frames pooled into the curve.</param>
public sealed record SizeCurve(string Label, double[] Sizes, double[] Density, long Clusters, long Frames);

/// <summary>
/// Cluster-size distributions P(s) on log-log axes, one curve per group of runs (e.g. per Pₜ), pooled
/// over frames (the steady ones, as chosen by the caller) with logarithmic bins.
/// </summary>
public sealed class SizeDistributionFigure : Figure
{
    /// <summary>Default pixel size.</summary>
    public const int Width = 900, Height = 650;

    private SizeDistributionFigure(Plot plot, int width, int height, IReadOnlyList<SizeCurve> curves, IReadOnlyList<Scatter> scatters)
        : base(plot, width, height)
    {
        Curves = curves;
        Scatters = scatters;
    }

    /// <summary>The curves as drawn, in input order.</summary>
    public IReadOnlyList<SizeCurve> Curves { get; }

    /// <summary>The plotted series (x = log10 size, y = log10 P(s)).</summary>
    public IReadOnlyList<Scatter> Scatters { get; }

    /// <summary>The drawn points of a distribution: log bins, empty bins dropped.</summary>
    public static SizeCurve Curve(string label, ClusterSizeDistribution distribution, SizeBinning? binning = null)
    {
        var bins = distribution.Histogram(binning ?? SizeBinning.Logarithmic(10)).Where(b => b.Clusters > 0).ToList();
        return new SizeCurve(label, bins.Select(b => b.Centre).ToArray(), bins.Select(b => b.Density).ToArray(), distribution.Clusters, distribution.Frames);
    }

    /// <summary>
    /// Draws the distributions, in order; <paramref name="ordered"/> colours them along a sequential map
    /// (for a parameter that increases from curve to curve), else with distinct colours.
    /// </summary>
    public static SizeDistributionFigure Build(IReadOnlyList<(string Label, ClusterSizeDistribution Distribution)> groups, string title,
        bool ordered = true, SizeBinning? binning = null, int width = Width, int height = Height)
    {
        CheckSize(width, height);
        var curves = groups.Select(g => Curve(g.Label, g.Distribution, binning)).ToList();
        if (curves.All(c => c.Sizes.Length == 0)) throw new Core.PepLabInputException("PATH", "the selected frames hold no cluster (every frame is empty)");
        var plot = NewPlot(title, "cluster size s (particles)", "P(s): share of clusters per unit size");
        var scatters = new List<Scatter>();
        for (int i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            var colour = ordered ? CurveColours.Ordered(i, curves.Count) : CurveColours.Category(i);
            var scatter = plot.Add.Scatter(LogAxis.Log10(c.Sizes), LogAxis.Log10(c.Density), colour);
            scatter.LineWidth = 1.5f;
            scatter.MarkerSize = 5;
            scatter.LegendText = $"{c.Label} ({c.Frames} frames)";
            scatters.Add(scatter);
        }
        var xs = curves.SelectMany(c => c.Sizes).ToArray();
        var ys = curves.SelectMany(c => c.Density).ToArray();
        LogAxis.Apply(plot, plot.Axes.Bottom, Math.Min(1, xs.Min()), Math.Max(2, xs.Max()));
        LogAxis.Apply(plot, plot.Axes.Left, ys.Min(), Math.Max(ys.Max(), ys.Min() * 10));
        plot.ShowLegend(Alignment.UpperRight);
        return new SizeDistributionFigure(plot, width, height, curves, scatters);
    }

    /// <summary>
    /// One curve per value of <paramref name="by"/> over analysed runs (kept cluster sizes), each pooling
    /// all frames of its runs.
    /// </summary>
    public static SizeDistributionFigure FromRuns(IReadOnlyList<RunSeries> runs, SweptParameter by, string steadyNote,
        int width = Width, int height = Height)
    {
        var groups = RunGroups.By(runs, by);
        var other = by == SweptParameter.Tumble ? SweptParameter.Density : SweptParameter.Tumble;
        var others = RunGroups.By(runs, other).Select(g => g.Value).ToList();
        var input = groups.Select(g =>
        {
            var d = new ClusterSizeDistribution();
            foreach (var r in g.Runs) d.Add(r.SizeDistribution());
            return ($"{RunGroups.Symbol(by)} = {Num(g.Value)}", d);
        }).ToList();
        string title = $"Cluster-size distribution, {RunGroups.Symbol(other)} = {RunGroups.List(others)}{steadyNote}";
        return Build(input, title, ordered: true, width: width, height: height);
    }
}
