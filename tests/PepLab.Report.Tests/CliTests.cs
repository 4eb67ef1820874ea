using PepLab.Core;
using PepLab.Tests;
using SkiaSharp;

namespace PepLab.Report.Tests;

/// <summary><c>pep plot</c> end to end, run as the real program.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Pep(string workingDirectory, params string[] args) =>
        PepCli.Run(workingDirectory, args);

    /// <summary>A data-set-like folder of 2 P_t x 2 densities, 12 frames each, on 8x8.</summary>
    private static string MakeRuns(TempDir dir)
    {
        string folder = dir.File("runs");
        Directory.CreateDirectory(folder);
        var lattice = new Lattice(8, 8);
        int seed = 0;
        foreach (var t in new[] { 0.1, 0.3 })
            foreach (var d in new[] { 0.2, 0.4 })
                Fixtures.WriteRun(Path.Combine(folder, $"run_t{t}_d{d}.h5"), lattice, Fixtures.RandomFrames(lattice, 12, d, ++seed), t, d);
        return folder;
    }

    [Fact]
    public void SnapshotDefaultsToTheLastFrameNextToTheRun()
    {
        using var dir = new TempDir();
        var lattice = new Lattice(6, 6);
        string run = Fixtures.WriteRun(dir.File("run.h5"), lattice,
            [Fixtures.Uniform(lattice, Orientation.Up), Fixtures.Uniform(lattice, Orientation.Down)]);
        var (code, output, error) = Pep(dir.Path, "plot", "snapshot", "run.h5");
        Assert.True(code == 0, error);
        Assert.Contains("run.snapshot.png", output);
        Assert.Equal((900, 720), Fixtures.PngSize(dir.File("run.snapshot.png")));
        using (var png = Fixtures.DecodePng(dir.File("run.snapshot.png")))
        {
            // the last frame is all "down": the image centre is the down colour
            Assert.Equal(Fixtures.Hex(SiteColours.Down), Fixtures.Hex(Fixtures.Argb(png, 72 + (900 - 72 - 250) / 2, 62 + (900 - 72 - 250) / 2)));
        }
        (code, _, error) = Pep(dir.Path, "plot", "snapshot", run, "--frame", "0", "-o", "first.png", "--width", "300", "--height", "260", "--colour", "clusters", "--outline");
        Assert.True(code == 0, error);
        Assert.Equal((300, 260), Fixtures.PngSize(dir.File("first.png")));
    }

    [Fact]
    public void MultiRunFiguresFromAFolder()
    {
        using var dir = new TempDir();
        string runs = MakeRuns(dir);
        var (code, output, error) = Pep(dir.Path, "plot", "grid", runs, "-q");
        Assert.True(code == 0, error);
        Assert.Contains("2 densities x 2 P_t from 4 files", output);
        Assert.True(File.Exists(Path.Combine(runs, "grid.png")));

        (code, output, error) = Pep(dir.Path, "plot", "timeseries", runs, "--select-densities", "0.4", "--stat", "clusters", "-o", "ts.png", "--width", "640", "--height", "400", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("clusters of 2 runs", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.Contains("t0 = iteration")));
        Assert.Equal((640, 400), Fixtures.PngSize(dir.File("ts.png")));

        (code, output, error) = Pep(dir.Path, "plot", "sizes", runs, "--select-tumbles", "0.1", "-o", "sizes.png", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("2 curves from 2 runs", output); // P_t fixed: one curve per density
        Assert.True(File.Exists(dir.File("sizes.png")));

        (code, output, error) = Pep(dir.Path, "plot", "largest", runs, "--all-frames", "-o", "largest.png", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("2 P_t x 2 densities from 4 runs", output);
        Assert.Equal((900, 620), Fixtures.PngSize(dir.File("largest.png")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public void OriginalLayoutFilesArePlottedLikeOurs()
    {
        using var dir = new TempDir();
        var lattice = new Lattice(6, 6);
        Fixtures.WriteRun(dir.File("run.h5"), lattice,
            [Fixtures.Uniform(lattice, Orientation.Left), Fixtures.Uniform(lattice, Orientation.Right)], tumble: 0.0725, density: 0.15);
        var (code, _, error) = Pep(dir.Path, "export", "legacy", "run.h5", "--out", "legacy");
        Assert.True(code == 0, error);
        string legacy = Directory.GetFiles(dir.File("legacy"), "dataset_tumble_*.h5").Single();
        (code, var output, error) = Pep(dir.Path, "plot", "snapshot", legacy, "-o", "legacy.png");
        Assert.True(code == 0, error);
        Assert.Contains("36 particles", output);
        using (var png = Fixtures.DecodePng(dir.File("legacy.png")))
            Assert.Equal(Fixtures.Hex(SiteColours.Right), Fixtures.Hex(Fixtures.Argb(png, 72 + (900 - 72 - 250) / 2, 62 + (900 - 72 - 250) / 2)));
        (code, output, error) = Pep(dir.Path, "plot", "grid", "legacy", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("1 densities x 1 P_t from 1 files", output);
    }

    [Fact]
    public void AnimateWritesOneGifFramePerStep()
    {
        using var dir = new TempDir();
        var lattice = new Lattice(8, 12);
        Fixtures.WriteRun(dir.File("run.h5"), lattice, Fixtures.RandomFrames(lattice, 10, 0.3, 9));
        var (code, output, error) = Pep(dir.Path, "plot", "animate", "run.h5", "--step", "4", "--fps", "5", "--cell", "4", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("3 frames of 48x", output);
        using var codec = SKCodec.Create(dir.File("run.gif"));
        Assert.Equal(3, codec.FrameCount);
        Assert.All(codec.FrameInfo, f => Assert.Equal(200, f.Duration));
        Assert.Equal(48, codec.Info.Width);
    }

    [Theory]
    [InlineData("snapshot RUN --frame 5", "--frame: 5 is outside the run's frames 0..1")]
    [InlineData("snapshot RUN --frame -3", "--frame")]
    [InlineData("snapshot RUN --colour rainbow", "--colour: 'rainbow' is not a colouring")]
    [InlineData("snapshot RUN -o x.jpg", "should end in .png")]
    [InlineData("snapshot RUN --width 3", "--width: must be 16..16384")]
    [InlineData("snapshot notes.txt", "notes.txt")]
    [InlineData("snapshot missing.h5", "missing.h5")]
    [InlineData("timeseries RUN --stat biggest", "valid names: clusters, mean, weighted_mean, largest, polarisation")]
    [InlineData("timeseries RUN --frames 0:9", "--frames")]
    [InlineData("sizes RUN --by speed", "--by: 'speed' is not a run parameter")]
    [InlineData("largest RUN --select-tumbles 0.9", "--select-tumbles: no run of the 1 given matches")]
    [InlineData("animate RUN -o a.png", "should end in .gif")]
    [InlineData("animate RUN --step 0", "--step")]
    [InlineData("grid RUN --frame 2", "outside the run's frames 0..1")]
    public void BadInputIsOneLineAndExitTwo(string command, string expected)
    {
        using var dir = new TempDir();
        var lattice = new Lattice(4, 4);
        Fixtures.WriteRun(dir.File("run.h5"), lattice, [Fixtures.Uniform(lattice, Orientation.Up), Fixtures.Uniform(lattice, Orientation.Left)]);
        File.WriteAllText(dir.File("notes.txt"), "not a trajectory");
        var args = new[] { "plot" }.Concat(command.Split(' ').Select(a => a == "RUN" ? "run.h5" : a)).Append("-q").ToArray();
        var (code, output, error) = Pep(dir.Path, args);
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
        Assert.StartsWith("pep plot ", lines[0]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.png"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.gif"));
    }

    [Fact]
    public void TextRendersOnAMachineWithoutSystemFonts()
    {
        // A private mount namespace hides every system font (an empty tmpfs over /usr/share/fonts):
        // what a bare Debian with only the .NET SDK looks like. ScottPlot's own default draws no text
        // there; the embedded DejaVu Sans must.
        if (!File.Exists("/usr/bin/unshare") || Environment.UserName != "root")
        {
            string why = "needs root and /usr/bin/unshare (util-linux) to hide the system fonts";
            if (ExternalTools.Required) Assert.Fail($"{why} ({ExternalTools.RequireVariable} is set)");
            Assert.Skip(why);
        }
        using var dir = new TempDir();
        var lattice = new Lattice(6, 6);
        Fixtures.WriteRun(dir.File("run.h5"), lattice, [Fixtures.Uniform(lattice, Orientation.Up)]);
        string dll = Path.Combine(AppContext.BaseDirectory, "pep.dll");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        string script = $"mount -t tmpfs none /usr/share/fonts && test -z \"$(ls -A /usr/share/fonts)\" && " +
                        $"'{host}' '{dll}' plot snapshot run.h5 -o bare.png --width 400 --height 330";
        var (code, output, error) = ExternalTools.Run("/usr/bin/unshare", $"-m sh -c \"{script.Replace("\"", "\\\"")}\"", dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        using var png = Fixtures.DecodePng(dir.File("bare.png"));
        // the title lines above the lattice image: dark text on white
        int dark = 0;
        for (int y = 0; y < 55; y++)
            for (int x = 0; x < png.Width; x++)
                if (png.GetPixel(x, y).Red < 100) dark++;
        Assert.True(dark > 100, $"only {dark} dark pixels where the title should be: text did not render without system fonts");
    }

    [Fact]
    public void EveryOptionHasHelp()
    {
        foreach (var sub in new[] { "snapshot", "grid", "timeseries", "sizes", "largest", "animate" })
        {
            var (code, output, _) = Pep(Path.GetTempPath(), "plot", sub, "--help");
            Assert.Equal(0, code);
            var options = output.Split('\n').SkipWhile(l => !l.StartsWith("Options:")).Skip(1).Where(l => l.TrimStart().StartsWith('-')).ToList();
            Assert.NotEmpty(options);
            // an option line is "  --name <ARG>   description": every one has a description after the name
            Assert.All(options, l => Assert.Matches(@"^\s+-\S.*?\S\s{2,}\S", l));
            Assert.Contains("--out", output);
            Assert.Contains("--width", output);
        }
    }
}
