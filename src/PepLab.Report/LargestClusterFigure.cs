using PepLab.Analyse;
using ScottPlot;
using ScottPlot.Plottables;

namespace PepLab.Report;

/// <summary>The largest-cluster fraction of one (Pₜ, density), pooled over the chosen frames of its runs.</summary>
public sealed record LargestPoint(double Tumble, double Density, double Mean, double Sd, int Frames, int Runs);

/// <summary>
/// The percolation picture: the largest cluster's share of all particles against density, one curve
/// per Pₜ, points at the mean over (steady) frames with ± one standard deviation.
/// </summary>
public sealed class LargestClusterFigure : Figure
{
    /// <summary>Default pixel size.</summary>
    public const int Width = 900, Height = 620;

    private LargestClusterFigure(Plot plot, int width, int height, IReadOnlyList<IReadOnlyList<LargestPoint>> curves, IReadOnlyList<Scatter> scatters)
        : base(plot, width, height)
    {
        Curves = curves;
        Scatters = scatters;
    }

    /// <summary>Points of each curve (one curve per Pₜ, increasing; points by increasing density).</summary>
    public IReadOnlyList<IReadOnlyList<LargestPoint>> Curves { get; }

    /// <summary>The plotted series.</summary>
    public IReadOnlyList<Scatter> Scatters { get; }

    /// <summary>Pools runs by (Pₜ, density): mean and sd of the largest fraction over all their frames.</summary>
    public static IReadOnlyList<LargestPoint> Points(IReadOnlyList<RunSeries> runs)
    {
        var points = new List<LargestPoint>();
        foreach (var (tumble, byTumble) in RunGroups.By(runs, SweptParameter.Tumble))
        {
            foreach (var (density, group) in RunGroups.By(byTumble, SweptParameter.Density))
            {
                var values = group.SelectMany(r => r.Series(FrameStatistic.Largest)).Where(double.IsFinite).ToArray();
                if (values.Length == 0) continue;
                double mean = SampleStatistics.Mean(values);
                double sd = values.Length > 1 ? SampleStatistics.StandardDeviation(values) : 0;
                points.Add(new LargestPoint(tumble, density, mean, sd, values.Length, group.Count));
            }
        }
        return points;
    }

    /// <summary>Draws the points, one curve per Pₜ.</summary>
    public static LargestClusterFigure Build(IReadOnlyList<LargestPoint> points, string title, int width = Width, int height = Height)
    {
        CheckSize(width, height);
        if (points.Count == 0) throw new Core.PepLabInputException("PATH", "no run with particles to draw");
        var plot = NewPlot(title, "density ρ (particles per site)", "largest cluster / N (fraction of particles)");
        var curves = points.GroupBy(p => p.Tumble).OrderBy(g => g.Key).Select(g => (IReadOnlyList<LargestPoint>)g.OrderBy(p => p.Density).ToList()).ToList();
        var scatters = new List<Scatter>();
        for (int i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            var colour = CurveColours.Ordered(i, curves.Count);
            double[] x = c.Select(p => p.Density).ToArray(), y = c.Select(p => p.Mean).ToArray(), e = c.Select(p => p.Sd).ToArray();
            var bars = plot.Add.ErrorBar(x, y, e);
            bars.Color = colour;
            var scatter = plot.Add.Scatter(x, y, colour);
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            scatter.LegendText = $"Pₜ = {Num(c[0].Tumble)}";
            scatters.Add(scatter);
        }
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "bars: ± sd over frames", LineColor = Colors.Gray, LineWidth = 1 });
        plot.ShowLegend(Alignment.UpperLeft);
        double top = points.Max(p => p.Mean + p.Sd);
        plot.Axes.SetLimitsY(0, Math.Min(1.05, Math.Max(0.05, top * 1.1)));
        double xmin = points.Min(p => p.Density), xmax = points.Max(p => p.Density), pad = Math.Max(0.02, 0.05 * (xmax - xmin));
        plot.Axes.SetLimitsX(Math.Max(0, xmin - pad), Math.Min(1.0 + pad, xmax + pad));
        return new LargestClusterFigure(plot, width, height, curves, scatters);
    }
}
