using PepLab.Tests;
using PepLab.Core;

namespace PepLab.Report.Tests;

public class LatticeRasterTests
{
    [Fact]
    public void EverySiteIsItsOrientationColour()
    {
        var (lattice, frame) = FrameSketch.Draw(
            "^>v<.",
            ".....",
            "<v>^.");
        var raster = LatticeRaster.Render(frame, lattice, 4, new SnapshotStyle());
        Assert.Equal((20, 12), (raster.Width, raster.Height));
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 5; c++)
            {
                uint expected = SiteColours.OfCode(frame[r * 5 + c]);
                // every pixel of the 4x4 cell, not only its centre
                for (int dy = 0; dy < 4; dy++)
                    for (int dx = 0; dx < 4; dx++)
                        Assert.Equal(Fixtures.Hex(expected), Fixtures.Hex(raster[c * 4 + dx, r * 4 + dy]));
            }
        }
        Assert.Equal(SiteColours.Up, raster[1, 1]);
        Assert.Equal(SiteColours.Left, raster[1, 9]);
        Assert.Equal(SiteColours.Empty, raster[18, 1]);
    }

    [Fact]
    public void TheFourOrientationColoursAndEmptyAreDistinct()
    {
        var colours = new[] { SiteColours.Empty, SiteColours.Up, SiteColours.Right, SiteColours.Down, SiteColours.Left };
        Assert.Equal(5, colours.Distinct().Count());
        // empty is dark: every particle colour is much brighter
        static double Luma(uint c) => 0.299 * ((c >> 16) & 0xFF) + 0.587 * ((c >> 8) & 0xFF) + 0.114 * (c & 0xFF);
        Assert.All(colours[1..], c => Assert.True(Luma(c) > Luma(SiteColours.Empty) + 60, Fixtures.Hex(c)));
    }

    [Fact]
    public void ClusterColouringFollowsLabelsAcrossThePeriodicEdge()
    {
        // Cluster 1 wraps across the left/right edge (columns 0 and 5 of row 0), cluster 2 is the pair in
        // row 2, and the particle at (3, 3) is alone.
        var (lattice, frame) = FrameSketch.Draw(
            "^....>",
            "......",
            ".vv...",
            "...<..");
        var raster = LatticeRaster.Render(frame, lattice, 3, new SnapshotStyle(SnapshotColouring.Clusters));
        uint At(int r, int c) => raster[c * 3 + 1, r * 3 + 1];
        Assert.Equal(SiteColours.ClusterCycle[0], At(0, 0));
        Assert.Equal(SiteColours.ClusterCycle[0], At(0, 5)); // same cluster through the wrap
        Assert.Equal(SiteColours.ClusterCycle[1], At(2, 1));
        Assert.Equal(SiteColours.ClusterCycle[1], At(2, 2));
        Assert.Equal(SiteColours.Single, At(3, 3));
        Assert.Equal(SiteColours.Empty, At(1, 1));
    }

    [Fact]
    public void OutlinesBorderClustersButNotTheirInsideNorTheWrap()
    {
        var (lattice, frame) = FrameSketch.Draw(
            ">.....>",
            ".......",
            "..^^...",
            ".......",
            "....v..");
        int cell = 6, w = LatticeRaster.OutlineWidth(cell);
        Assert.Equal(1, w);
        var raster = LatticeRaster.Render(frame, lattice, cell, new SnapshotStyle(Outline: true));
        // the pair at (2,2)-(2,3): outlined on the outside ...
        Assert.Equal(SiteColours.Outline, raster[2 * cell, 2 * cell + 3]);            // left side of (2,2)
        Assert.Equal(SiteColours.Outline, raster[2 * cell + 3, 2 * cell]);            // top side of (2,2)
        Assert.Equal(SiteColours.Outline, raster[4 * cell - 1, 2 * cell + 3]);        // right side of (2,3)
        // ... not between its two sites
        Assert.Equal(SiteColours.Up, raster[3 * cell - 1, 2 * cell + 3]);
        Assert.Equal(SiteColours.Up, raster[3 * cell, 2 * cell + 3]);
        // the pair (0,0)-(0,6) joined through the periodic edge: no line on the image border
        Assert.Equal(SiteColours.Right, raster[0, 3]);
        Assert.Equal(SiteColours.Right, raster[7 * cell - 1, 3]);
        Assert.Equal(SiteColours.Outline, raster[3, 0]);
        // a lone particle is below the default minimum size: no outline at all
        for (int d = 0; d < cell; d++)
        {
            Assert.Equal(SiteColours.Down, raster[4 * cell + d, 4 * cell]);
            Assert.Equal(SiteColours.Down, raster[4 * cell, 4 * cell + d]);
        }
        // with a minimum of 1 it gets one
        var all = LatticeRaster.Render(frame, lattice, cell, new SnapshotStyle(Outline: true, OutlineMinSize: 1));
        Assert.Equal(SiteColours.Outline, all[4 * cell, 4 * cell + 3]);
    }

    [Fact]
    public void RendersIntoAnOffsetAndRefusesBadSizes()
    {
        var (lattice, frame) = FrameSketch.Draw("^>", "v<");
        var target = new Raster(10, 12, 0xFF123456);
        LatticeRaster.Render(frame, lattice, 3, new SnapshotStyle(), into: target, offsetX: 2, offsetY: 5);
        Assert.Equal(0xFF123456u, target[0, 0]);
        Assert.Equal(SiteColours.Up, target[2, 5]);
        Assert.Equal(SiteColours.Left, target[7, 10]);
        Assert.Throws<ArgumentException>(() => LatticeRaster.Render(frame, lattice, 4, new SnapshotStyle(), into: target, offsetX: 4, offsetY: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatticeRaster.Render(frame, lattice, 2, new SnapshotStyle(Outline: true)));
        Assert.Throws<ArgumentException>(() => LatticeRaster.Render(new byte[3], lattice, 2, new SnapshotStyle()));
    }

    [Fact]
    public void CellSizeFitsTheTarget()
    {
        Assert.Equal(4, LatticeRaster.CellSize(new Lattice(128, 128), 512, new SnapshotStyle()));
        Assert.Equal(1, LatticeRaster.CellSize(new Lattice(1024, 8), 512, new SnapshotStyle()));
        Assert.Equal(LatticeRaster.MinimumOutlineCell, LatticeRaster.CellSize(new Lattice(1024, 8), 512, new SnapshotStyle(Outline: true)));
    }

    [Fact]
    public void RasterRoundTripsThroughASkiaBitmap()
    {
        var raster = new Raster(3, 2);
        raster[0, 0] = SiteColours.Up;
        raster[2, 1] = SiteColours.Left;
        using var bitmap = raster.ToBitmap();
        Assert.Equal(SiteColours.Up, (uint)bitmap.GetPixel(0, 0));
        Assert.Equal(SiteColours.Left, (uint)bitmap.GetPixel(2, 1));
        var back = Raster.FromBitmap(bitmap);
        Assert.Equal(raster.Pixels, back.Pixels);
    }
}
