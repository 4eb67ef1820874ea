using PepLab.Core;
using PepLab.Store;
using PepLab.Tests;
using ScottPlot;
using Orientation = PepLab.Core.Orientation;

namespace PepLab.Report.Tests;

public class SnapshotAndGridTests
{
    [Fact]
    public void SnapshotPngHasTheSizeAndEverySiteInItsColourWhereTheAxesPutIt()
    {
        using var dir = new TempDir();
        var (lattice, frame) = FrameSketch.Draw(
            "^>v<..",
            ".^^...",
            "....<<",
            "v.....",
            "..>...",
            ".....^");
        var figure = SnapshotFigure.Build(frame, lattice, new SnapshotStyle(), "test frame", 500, 400);
        string path = dir.File("s.png");
        figure.SavePng(path);
        Assert.Equal((500, 400), Fixtures.PngSize(path));
        using var png = Fixtures.DecodePng(path);
        Assert.Equal((500, 400), (png.Width, png.Height));
        Assert.Equal(frame.Count(b => b != 0), figure.Particles);
        Assert.Equal(-1, figure.Clusters);
        for (int r = 0; r < lattice.Nx; r++)
        {
            for (int c = 0; c < lattice.Ny; c++)
            {
                // site (r, c) covers [c, c+1] x [r, r+1] of the axes, row 0 at the top
                var pixel = figure.Plot.GetPixel(new Coordinates(c + 0.5, r + 0.5));
                uint actual = Fixtures.Argb(png, (int)pixel.X, (int)pixel.Y);
                Assert.Equal(Fixtures.Hex(SiteColours.OfCode(frame[r * lattice.Ny + c])), Fixtures.Hex(actual));
            }
        }
        // row 0 is drawn above row 5
        Assert.True(figure.Plot.GetPixel(new Coordinates(0.5, 0.5)).Y < figure.Plot.GetPixel(new Coordinates(0.5, 5.5)).Y);
        // the legend names the four orientations and empty, in their colours
        var items = figure.Plot.Legend.ManualItems;
        Assert.Equal(["up", "right", "down", "left", "empty"], items.Select(i => i.LabelText));
        Assert.Equal(new[] { SiteColours.Up, SiteColours.Right, SiteColours.Down, SiteColours.Left, SiteColours.Empty }.Select(SiteColours.ToColor),
            items.Select(i => i.FillColor));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }

    [Fact]
    public void SnapshotByClusterCountsClustersAndDrawsTheTitleText()
    {
        using var dir = new TempDir();
        var (lattice, frame) = FrameSketch.Draw(
            "^^....",
            "......",
            "...>..",
            "...>..");
        var figure = SnapshotFigure.Build(frame, lattice, new SnapshotStyle(SnapshotColouring.Clusters, Outline: true), "clusters", 420, 320);
        Assert.Equal(2, figure.Clusters);
        Assert.Contains("2 clusters", figure.Plot.Axes.Title.Label.Text);
        string path = dir.File("c.png");
        figure.SavePng(path);
        using var png = Fixtures.DecodePng(path);
        var centre = figure.Plot.GetPixel(new Coordinates(3.5, 2.5));
        Assert.Equal(Fixtures.Hex(SiteColours.ClusterCycle[1]), Fixtures.Hex(Fixtures.Argb(png, (int)centre.X, (int)centre.Y)));
        // text is drawn with the embedded font: the title band holds dark (text) pixels
        var data = figure.Plot.LastRender.DataRect;
        int dark = 0;
        for (int y = 0; y < (int)data.Top - 4; y++)
            for (int x = 0; x < png.Width; x++)
                if (png.GetPixel(x, y).Red < 100) dark++;
        Assert.True(dark > 30, $"only {dark} dark pixels above the data area: the title did not render");
    }

    [Fact]
    public void EmbeddedFontIsUsedAndHasTheSymbolsOfTheLabels()
    {
        FigureFonts.Register();
        var face = ScottPlot.Fonts.GetTypeface(FigureFonts.Family, false, false);
        Assert.Equal("DejaVu Sans", face.FamilyName);
        Assert.True(face.ContainsGlyphs("Pₜρ±ΣΣs²⟨⟩≥−×"), "a label character is missing from the embedded font");
        Assert.True(FigureFonts.Bold.FontWeight >= 600);
    }

    [Fact]
    public void FromSourceResolvesNegativeFramesAndRefusesOutOfRange()
    {
        using var dir = new TempDir();
        var lattice = new Lattice(4, 4);
        var frames = new List<byte[]> { Fixtures.Uniform(lattice, Orientation.Up), Fixtures.Uniform(lattice, Orientation.Left) };
        string run = Fixtures.WriteRun(dir.File("r.h5"), lattice, frames);
        using var source = FrameSources.Open(run);
        var last = SnapshotFigure.FromSource(source, -1, new SnapshotStyle(), 300, 300);
        Assert.All(last.Image.Pixels, p => Assert.Equal(SiteColours.Left, p));
        Assert.Contains("frame 1 of 2", last.Plot.Axes.Title.Label.Text);
        var e = Assert.Throws<PepLabInputException>(() => SnapshotFigure.FromSource(source, 2, new SnapshotStyle()));
        Assert.Contains("outside the run's frames 0..1", e.Message);
        Assert.Throws<PepLabInputException>(() => SnapshotFigure.FromSource(source, -3, new SnapshotStyle()));
    }

    [Fact]
    public void GridPutsTumblesInColumnsAndDensitiesInRowsFromADataSetFolder()
    {
        using var dir = new TempDir();
        var lattice = new Lattice(6, 6);
        // each run's last frame is filled with one orientation that encodes its (row, column)
        double[] tumbles = [0.5, 0.1];          // written out of order on purpose
        double[] densities = [0.2, 0.4, 0.3];
        byte Code(double t, double d) => (byte)(1 + (Array.IndexOf(new[] { 0.1, 0.5 }, t) * 3 + Array.IndexOf(new[] { 0.2, 0.3, 0.4 }, d)) % 4);
        foreach (var t in tumbles)
            foreach (var d in densities)
                Fixtures.WriteRun(dir.File($"run_t{t}_d{d}.h5"), lattice,
                    [Fixtures.Uniform(lattice, Orientation.Empty), Fixtures.Uniform(lattice, Code(t, d))], t, d);
        var files = PlotInputs.Files([dir.Path]);
        Assert.Equal(6, files.Count);
        var cells = GridFigure.Load(files, -1);
        var figure = GridFigure.Build(cells, new SnapshotStyle(), "grid");
        Assert.Equal([0.1, 0.5], figure.Tumbles);
        Assert.Equal([0.2, 0.3, 0.4], figure.Densities);
        Assert.Equal(GridFigure.DefaultSize(3, 2), (figure.DefaultWidth, figure.DefaultHeight));
        string path = dir.File("grid.png");
        figure.SavePng(path);
        Assert.Equal(GridFigure.DefaultSize(3, 2), Fixtures.PngSize(path));
        using var png = Fixtures.DecodePng(path);
        double gap = GridFigure.Gap(6, 6);
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                Assert.Equal(figure.Tumbles[c], figure.Cells[r, c]!.Tumble);
                Assert.Equal(figure.Densities[r], figure.Cells[r, c]!.Density);
                var pixel = figure.Plot.GetPixel(new Coordinates(c * (6 + gap) + 3, r * (6 + gap) + 3));
                uint expected = SiteColours.OfCode(Code(figure.Tumbles[c], figure.Densities[r]));
                Assert.Equal(Fixtures.Hex(expected), Fixtures.Hex(Fixtures.Argb(png, (int)pixel.X, (int)pixel.Y)));
            }
        }
        // the frame option reaches into the runs: frame 0 is empty everywhere
        var first = GridFigure.Build(GridFigure.Load(files, 0), new SnapshotStyle(), "grid 0");
        Assert.All(first.Cells.Cast<GridCell?>(), c => Assert.All(c!.Frame, b => Assert.Equal(0, b)));
        Assert.Throws<PepLabInputException>(() => GridFigure.Load(files, 2));
    }

    [Fact]
    public void GridLeavesMissingPairsEmptyAndKeepsTheFirstReplica()
    {
        var lattice = new Lattice(3, 3);
        var cells = new[]
        {
            new GridCell(0.1, 0.2, lattice, Fixtures.Uniform(lattice, Orientation.Up), 0, "a"),
            new GridCell(0.1, 0.2, lattice, Fixtures.Uniform(lattice, Orientation.Down), 0, "a-replica"),
            new GridCell(0.3, 0.4, lattice, Fixtures.Uniform(lattice, Orientation.Left), 0, "b"),
        };
        var figure = GridFigure.Build(cells, new SnapshotStyle(), "sparse", 500, 400);
        Assert.Equal("a", figure.Cells[0, 0]!.Source);
        Assert.Null(figure.Cells[0, 1]);
        Assert.Null(figure.Cells[1, 0]);
        Assert.Equal("b", figure.Cells[1, 1]!.Source);
        Assert.Equal(2, figure.Plot.GetPlottables<ScottPlot.Plottables.ImageRect>().Count());
    }

    [Fact]
    public void BadSizesAreInputErrors()
    {
        var (lattice, frame) = FrameSketch.Draw("^.", ".>");
        Assert.Throws<PepLabInputException>(() => SnapshotFigure.Build(frame, lattice, new SnapshotStyle(), "t", 5, 400));
        Assert.Throws<PepLabInputException>(() => SnapshotFigure.Build(frame, lattice, new SnapshotStyle(), "t", 400, 20000));
    }
}
