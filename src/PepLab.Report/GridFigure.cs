using PepLab.Core;
using PepLab.Store;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace PepLab.Report;

/// <summary>One panel of a grid figure: a frame of the run with these parameters.</summary>
public sealed record GridCell(double Tumble, double Density, Lattice Lattice, byte[] Frame, long Iteration, string Source);

/// <summary>
/// Snapshots of many runs side by side: Pₜ increasing from left to right, density from top to
/// bottom, each panel coloured by orientation (the original's plot_grid_tumble_vs_density).
/// </summary>
public sealed class GridFigure : Figure
{
    private GridFigure(Plot plot, int width, int height, double[] tumbles, double[] densities, GridCell?[,] cells, int cell)
        : base(plot, width, height)
    {
        Tumbles = tumbles;
        Densities = densities;
        Cells = cells;
        Cell = cell;
    }

    /// <summary>The columns' Pₜ values, increasing.</summary>
    public double[] Tumbles { get; }

    /// <summary>The rows' densities, increasing downwards.</summary>
    public double[] Densities { get; }

    /// <summary>The panel at [row, column]; null where the data holds no such run.</summary>
    public GridCell?[,] Cells { get; }

    /// <summary>Pixels per site in the panel images.</summary>
    public int Cell { get; }

    /// <summary>Default size for a grid of <paramref name="rows"/> x <paramref name="columns"/>: about 190 pixels per panel.</summary>
    public static (int Width, int Height) DefaultSize(int rows, int columns) =>
        (Math.Clamp(110 + 190 * columns + SnapshotFigure.LegendRoom, 400, 4000), Math.Clamp(110 + 190 * rows, 300, 4000));

    /// <summary>Gap between panels, in sites.</summary>
    public static double Gap(int nx, int ny) => Math.Max(1, 0.08 * Math.Max(nx, ny));

    /// <summary>Lays the cells out on a grid (the first cell given for a (Pₜ, density) pair wins) and draws them.</summary>
    public static GridFigure Build(IReadOnlyList<GridCell> cells, SnapshotStyle style, string title, int? width = null, int? height = null)
    {
        if (cells.Count == 0) throw new PepLabInputException("PATH", "holds no run to draw");
        var tumbles = Distinct(cells.Select(c => c.Tumble));
        var densities = Distinct(cells.Select(c => c.Density));
        var grid = new GridCell?[densities.Length, tumbles.Length];
        foreach (var c in cells)
        {
            int row = Array.FindIndex(densities, d => RunGroups.Same(d, c.Density));
            int col = Array.FindIndex(tumbles, t => RunGroups.Same(t, c.Tumble));
            grid[row, col] ??= c;
        }
        var (dw, dh) = DefaultSize(densities.Length, tumbles.Length);
        int w = width ?? dw, h = height ?? dh;
        CheckSize(w, h);

        int nx = cells.Max(c => c.Lattice.Nx), ny = cells.Max(c => c.Lattice.Ny);
        double gap = Gap(nx, ny);
        double unitsWide = tumbles.Length * ny + (tumbles.Length - 1) * gap;
        double unitsHigh = densities.Length * nx + (densities.Length - 1) * gap;
        var plot = NewPlot(title, "tumbling probability Pₜ", "density ρ (particles per site)");
        var area = SnapshotFigure.FixImageLayout(plot, w, h, unitsWide, unitsHigh, left: 80, bottom: 62);
        double pixelsPerSite = area.Width / unitsWide;
        int cellPixels = Math.Max(style.Outline ? LatticeRaster.MinimumOutlineCell : 1, (int)Math.Ceiling(pixelsPerSite));

        var labellers = new Dictionary<Lattice, Analyse.ClusterLabeller>();
        for (int r = 0; r < densities.Length; r++)
        {
            for (int c = 0; c < tumbles.Length; c++)
            {
                if (grid[r, c] is not { } g) continue;
                Analyse.ClusterLabeller? labeller = null;
                if (style.NeedsClusters && !labellers.TryGetValue(g.Lattice, out labeller))
                    labellers[g.Lattice] = labeller = new Analyse.ClusterLabeller(g.Lattice);
                var raster = LatticeRaster.Render(g.Frame, g.Lattice, cellPixels, style, labeller);
                SnapshotFigure.AddLattice(plot, raster, g.Lattice, c * (ny + gap), r * (nx + gap));
            }
        }
        plot.Axes.SetLimits(-0.001, unitsWide, unitsHigh, -0.001);
        var xTicks = new NumericManual();
        for (int c = 0; c < tumbles.Length; c++) xTicks.AddMajor(c * (ny + gap) + ny / 2.0, Num(tumbles[c]));
        var yTicks = new NumericManual();
        for (int r = 0; r < densities.Length; r++) yTicks.AddMajor(r * (nx + gap) + nx / 2.0, Num(densities[r]));
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        plot.HideGrid();
        plot.Axes.Frame(false);
        SnapshotFigure.ShowSiteLegend(plot, style);
        return new GridFigure(plot, w, h, tumbles, densities, grid, cellPixels);
    }

    /// <summary>
    /// The grid of a data-set folder, a folder of trajectory files (any layout) or a list of files:
    /// frame <paramref name="frame"/> (negative counts from the end) of the first run of each (Pₜ, density).
    /// </summary>
    public static IReadOnlyList<GridCell> Load(IReadOnlyList<string> files, int frame, Action<int>? filesDone = null)
    {
        var cells = new List<GridCell>();
        foreach (var file in files)
        {
            using var source = FrameSources.Open(file);
            int index = SnapshotFigure.ResolveFrame(source, frame, $"--frame ({Path.GetFileName(file)})");
            var info = source.Info;
            if (!cells.Any(c => RunGroups.Same(c.Tumble, info.Tumble) && RunGroups.Same(c.Density, info.DensityRequested)))
                cells.Add(new GridCell(info.Tumble, info.DensityRequested, info.Lattice, source.ReadFrame(index), source.Iterations[index], file));
            filesDone?.Invoke(1);
        }
        return cells;
    }

    private static double[] Distinct(IEnumerable<double> values)
    {
        var list = new List<double>();
        foreach (var v in values.Order())
            if (list.Count == 0 || !RunGroups.Same(list[^1], v)) list.Add(v);
        return list.ToArray();
    }
}
