using PepLab.Analyse;
using PepLab.Core;

namespace PepLab.Report;

/// <summary>How the sites of a snapshot are coloured.</summary>
public enum SnapshotColouring
{
    /// <summary>Each particle in the colour of its orientation (<see cref="SiteColours"/>).</summary>
    Orientation,
    /// <summary>Each cluster of 2 or more particles in one colour of <see cref="SiteColours.ClusterCycle"/>; lone particles grey.</summary>
    Clusters,
}

/// <summary>What a snapshot image shows.</summary>
/// <param name="Colouring">Orientation or cluster colours.</param>
/// <param name="Outline">Draw a line around every cluster of at least <paramref name="OutlineMinSize"/> particles.</param>
/// <param name="OutlineMinSize">Smallest cluster that gets an outline (2: every particle that touches another).</param>
public sealed record SnapshotStyle(SnapshotColouring Colouring = SnapshotColouring.Orientation, bool Outline = false, int OutlineMinSize = 2)
{
    /// <summary>True when the image needs cluster labels.</summary>
    public bool NeedsClusters => Colouring == SnapshotColouring.Clusters || Outline;

    /// <summary>
    /// The style named by <paramref name="colour"/> ("orientation" or "clusters", case and a plural
    /// ignored); an unknown colouring or <paramref name="outlineMin"/> below 1 is a <see cref="PepLabInputException"/>.
    /// </summary>
    public static SnapshotStyle Parse(string colour, bool outline, int outlineMin)
    {
        var colouring = colour.Trim().ToLowerInvariant() switch
        {
            "orientation" or "orientations" => SnapshotColouring.Orientation,
            "clusters" or "cluster" => SnapshotColouring.Clusters,
            var other => throw new PepLabInputException("colour", $"'{other}' is not a colouring; use orientation or clusters"),
        };
        if (outlineMin < 1) throw new PepLabInputException("outlineMin", $"must be at least 1 (got {outlineMin})");
        return new SnapshotStyle(colouring, outline, outlineMin);
    }
}

/// <summary>
/// Draws a frame as pixels: site (row, column) is the <c>cell</c> x <c>cell</c> square whose top-left
/// pixel is (column * cell, row * cell), so row 0 is at the top, as the frame matrix is printed.
/// </summary>
public static class LatticeRaster
{
    /// <summary>Smallest cell (pixels per site) that can carry an outline and still show the site's colour.</summary>
    public const int MinimumOutlineCell = 3;

    /// <summary>
    /// Pixels per site so that the lattice spans about <paramref name="targetPixels"/> on its longer side
    /// (at least 1, at least <see cref="MinimumOutlineCell"/> with outlines).
    /// </summary>
    public static int CellSize(Lattice lattice, int targetPixels, SnapshotStyle style)
    {
        int cell = Math.Max(1, targetPixels / Math.Max(lattice.Nx, lattice.Ny));
        return style.Outline ? Math.Max(cell, MinimumOutlineCell) : cell;
    }

    /// <summary>Width of outline lines for a given cell size.</summary>
    public static int OutlineWidth(int cell) => Math.Max(1, cell / 6);

    /// <summary>
    /// Draws <paramref name="frame"/> with <paramref name="cell"/> pixels per site. With a style that
    /// needs clusters, <paramref name="labeller"/> (for the frame's lattice) labels the frame; one is
    /// made when none is given. Draws into <paramref name="into"/> at (<paramref name="offsetX"/>,
    /// <paramref name="offsetY"/>) when given (animation frames reuse one raster), else into a new raster.
    /// </summary>
    public static Raster Render(ReadOnlySpan<byte> frame, Lattice lattice, int cell, SnapshotStyle style,
        ClusterLabeller? labeller = null, Raster? into = null, int offsetX = 0, int offsetY = 0)
    {
        ArgumentNullException.ThrowIfNull(lattice);
        ArgumentNullException.ThrowIfNull(style);
        ArgumentOutOfRangeException.ThrowIfLessThan(cell, 1);
        if (frame.Length != lattice.Sites)
            throw new ArgumentException($"frame has {frame.Length} sites, the {lattice} lattice {lattice.Sites}", nameof(frame));
        if (style.Outline && cell < MinimumOutlineCell)
            throw new ArgumentOutOfRangeException(nameof(cell), cell, $"outlines need at least {MinimumOutlineCell} pixels per site");
        int nx = lattice.Nx, ny = lattice.Ny;
        var raster = into ?? new Raster(ny * cell + offsetX, nx * cell + offsetY);
        if (offsetX < 0 || offsetY < 0 || raster.Width < offsetX + ny * cell || raster.Height < offsetY + nx * cell)
            throw new ArgumentException($"the {raster.Width}x{raster.Height} image cannot hold {ny * cell}x{nx * cell} pixels at ({offsetX}, {offsetY})", nameof(into));

        ReadOnlySpan<int> labels = default, sizes = default;
        if (style.NeedsClusters)
        {
            labeller ??= new ClusterLabeller(lattice);
            if (!labeller.Lattice.Equals(lattice)) throw new ArgumentException("the labeller is for another lattice", nameof(labeller));
            labeller.Compute(frame);
            labels = labeller.Labels;
            sizes = labeller.Sizes;
        }

        for (int r = 0, s = 0; r < nx; r++)
        {
            for (int c = 0; c < ny; c++, s++)
            {
                byte code = frame[s];
                uint colour = style.Colouring == SnapshotColouring.Clusters && code != 0 && code <= Orientation.Left
                    ? SiteColours.OfCluster(labels[s], sizes[labels[s] - 1])
                    : SiteColours.OfCode(code);
                raster.FillRect(offsetX + c * cell, offsetY + r * cell, cell, cell, colour);
            }
        }

        if (style.Outline)
        {
            int w = OutlineWidth(cell);
            for (int r = 0, s = 0; r < nx; r++)
            {
                for (int c = 0; c < ny; c++, s++)
                {
                    int label = labels[s];
                    if (label == 0 || sizes[label - 1] < style.OutlineMinSize) continue;
                    int x = offsetX + c * cell, y = offsetY + r * cell;
                    // A side gets a line where the periodic neighbour is not in the same cluster.
                    if (labels[lattice.Index(r - 1, c)] != label) raster.FillRect(x, y, cell, w, SiteColours.Outline);
                    if (labels[lattice.Index(r + 1, c)] != label) raster.FillRect(x, y + cell - w, cell, w, SiteColours.Outline);
                    if (labels[lattice.Index(r, c - 1)] != label) raster.FillRect(x, y, w, cell, SiteColours.Outline);
                    if (labels[lattice.Index(r, c + 1)] != label) raster.FillRect(x + cell - w, y, w, cell, SiteColours.Outline);
                }
            }
        }
        return raster;
    }

    /// <summary>The pixel at the centre of site (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public static (int X, int Y) CentreOf(int row, int column, int cell) => (column * cell + cell / 2, row * cell + cell / 2);
}
