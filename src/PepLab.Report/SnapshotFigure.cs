using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using ScottPlot;

namespace PepLab.Report;

/// <summary>
/// One frame of a run as an image: particles coloured by orientation (or by cluster), empty sites
/// dark, with a legend of the colours. Site (row, column) covers the square [column, column + 1] x
/// [row, row + 1] of the axes, row 0 at the top.
/// </summary>
public sealed class SnapshotFigure : Figure
{
    /// <summary>Default pixel size of a snapshot figure.</summary>
    public const int Width = 900, Height = 720;

    private SnapshotFigure(Plot plot, int width, int height, Raster image, int cell, int clusters, int particles)
        : base(plot, width, height)
    {
        Image = image;
        Cell = cell;
        Clusters = clusters;
        Particles = particles;
    }

    /// <summary>The lattice image drawn in the data area (one <see cref="Cell"/> x <see cref="Cell"/> block per site).</summary>
    public Raster Image { get; }

    /// <summary>Pixels per site in <see cref="Image"/>.</summary>
    public int Cell { get; }

    /// <summary>Number of clusters in the frame (-1 when the style did not need them).</summary>
    public int Clusters { get; }

    /// <summary>Number of particles in the frame.</summary>
    public int Particles { get; }

    /// <summary>Draws <paramref name="frame"/> of <paramref name="lattice"/> with <paramref name="title"/>.</summary>
    public static SnapshotFigure Build(ReadOnlySpan<byte> frame, Lattice lattice, SnapshotStyle style, string title,
        int width = Width, int height = Height)
    {
        CheckSize(width, height);
        int cell = LatticeRaster.CellSize(lattice, Math.Max(width, height), style);
        var labeller = style.NeedsClusters ? new ClusterLabeller(lattice) : null;
        var raster = LatticeRaster.Render(frame, lattice, cell, style, labeller);
        if (labeller is not null) title += $", {labeller.ClusterCount} clusters";
        int particles = 0;
        foreach (byte b in frame) if (b != 0) particles++;

        var plot = NewPlot(title, "column (sites)", "row (sites)");
        AddLattice(plot, raster, lattice, 0, 0);
        plot.Axes.SetLimits(0, lattice.Ny, lattice.Nx, 0); // bottom = Nx, top = 0: rows run down the page
        FixImageLayout(plot, width, height, lattice.Ny, lattice.Nx, top: title.Contains('\n') ? 62 : 44);
        plot.HideGrid();
        ShowSiteLegend(plot, style);
        return new SnapshotFigure(plot, width, height, raster, cell, labeller?.ClusterCount ?? -1, particles);
    }

    /// <summary>Draws frame <paramref name="index"/> (negative counts from the end) of an open run, titled with its parameters.</summary>
    public static SnapshotFigure FromSource(IFrameSource source, int index, SnapshotStyle style, int width = Width, int height = Height, string? title = null)
    {
        int resolved = ResolveFrame(source, index);
        var frame = source.ReadFrame(resolved);
        var info = source.Info;
        title ??= $"{RunLabel(info.Tumble, info.DensityRequested)}, {info.Nx}×{info.Ny} lattice\niteration {source.Iterations[resolved]} (frame {resolved} of {source.Count})";
        return Build(frame, info.Lattice, style, title, width, height);
    }

    /// <summary>A frame index of the run (negative counts from the end); outside the run is a <see cref="PepLabInputException"/>.</summary>
    public static int ResolveFrame(IFrameSource source, int index, string subject = "frame")
    {
        int resolved = index < 0 ? index + source.Count : index;
        if (resolved < 0 || resolved >= source.Count)
            throw new PepLabInputException(subject, $"{index} is outside the run's frames 0..{source.Count - 1} (negative counts from the end)");
        return resolved;
    }

    /// <summary>Places a lattice image with its top-left corner at axis coordinates (<paramref name="left"/>, <paramref name="top"/>), one unit per site.</summary>
    internal static void AddLattice(Plot plot, Raster raster, Lattice lattice, double left, double top, bool invertedY = true)
    {
        var rect = invertedY
            ? new CoordinateRect(left, left + lattice.Ny, top + lattice.Nx, top)
            : new CoordinateRect(left, left + lattice.Ny, top - lattice.Nx, top);
        var image = plot.Add.ImageRect(raster.ToImage(), rect);
        image.AntiAlias = false;
    }

    /// <summary>Room kept on the right of image figures for the legend, in pixels.</summary>
    internal const int LegendRoom = 250;

    /// <summary>
    /// Fixes the data area to the largest rectangle of aspect <paramref name="unitsWide"/> : <paramref name="unitsHigh"/>
    /// (square sites) that fits between the title, the axis labels and the legend; returns it.
    /// </summary>
    internal static PixelRect FixImageLayout(Plot plot, int width, int height, double unitsWide, double unitsHigh,
        float left = 72, float top = 44, float bottom = 58, float right = LegendRoom)
    {
        float availableW = Math.Max(8, width - left - right), availableH = Math.Max(8, height - top - bottom);
        double scale = Math.Min(availableW / unitsWide, availableH / unitsHigh);
        float w = (float)(scale * unitsWide), h = (float)(scale * unitsHigh);
        float x0 = left + (availableW - w) / 2, y0 = top;
        var rect = new PixelRect(x0, x0 + w, y0 + h, y0);
        plot.Layout.Fixed(rect);
        return rect;
    }

    /// <summary>The legend of site colours for <paramref name="style"/>, outside the data area on the right.</summary>
    internal static void ShowSiteLegend(Plot plot, SnapshotStyle style)
    {
        var items = new List<LegendItem>();
        if (style.Colouring == SnapshotColouring.Orientation)
        {
            foreach (var (_, name, colour) in SiteColours.Orientations) items.Add(Box(name, colour));
        }
        else
        {
            items.Add(Box("cluster ≥ 2", SiteColours.ClusterCycle[0]));
            items.Add(Box("(colours cycle)", SiteColours.ClusterCycle[1]));
            items.Add(Box("lone particle", SiteColours.Single));
        }
        items.Add(Box("empty", SiteColours.Empty));
        if (style.Outline)
            items.Add(new LegendItem
            {
                LabelText = $"outline: cluster ≥ {style.OutlineMinSize}",
                FillColor = SiteColours.ToColor(SiteColours.Empty),
                OutlineColor = SiteColours.ToColor(SiteColours.Outline),
                OutlineWidth = 2,
            });
        plot.Legend.ManualItems.Clear();
        plot.Legend.ManualItems.AddRange(items);
        plot.ShowLegend(Edge.Right);
    }

    internal static LegendItem Box(string label, uint colour) => new()
    {
        LabelText = label,
        FillColor = SiteColours.ToColor(colour),
        OutlineColor = Colors.Gray,
        OutlineWidth = 1,
    };
}
