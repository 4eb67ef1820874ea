using PepLab.Core;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary>What the trajectory readers accept, warn about and refuse, checked on the readers themselves.</summary>
public class ReaderValidationTests
{
    [Fact]
    public void AttributesRewrittenByH5pyReadBackUnchanged()
    {
        using var dir = new TempDir();
        string original = dir.File("original.h5"), rewritten = dir.File("rewritten.h5");
        DamagedTrajectories.WriteValid(original);
        string types = DamagedTrajectories.WriteWithH5pyAttributes(rewritten);
        Assert.Contains("nx=int64", types);
        Assert.Contains("tumble=float64", types);
        Assert.Contains("seed=int64", types);
        using var a = TrajectoryReader.Open(original);
        using var b = TrajectoryReader.Open(rewritten);
        Assert.NotNull(b.Info.Provenance);
        // The two files were written one after the other: their times may differ by a second.
        Assert.Equal(a.Info with { Provenance = a.Info.Provenance! with { CreatedUtc = b.Info.Provenance.CreatedUtc } }, b.Info);
        Assert.Equal(a.Iterations, b.Iterations);
        Assert.Equal(a.ReadFrame(-1), b.ReadFrame(-1));
    }

    [Fact]
    public void AFrameValueOutsideZeroToFourNamesFileFrameSiteAndValue()
    {
        using var dir = new TempDir();
        string path = dir.File("seven.h5");
        DamagedTrajectories.Craft(path, s => ((byte[])s.FramesData)[5 * 64 + 2 * 8 + 3] = 7);
        using var reader = FrameSources.Open(path);
        reader.ReadFrames(0, 5, new byte[5 * 64]); // the frames before it are fine
        var e = Assert.Throws<BadFileException>(() => reader.ReadFrames(0, 12, new byte[12 * 64]));
        Assert.Equal(path, e.Path);
        Assert.Contains("frame 5 holds the value 7 at row 2, column 3", e.Message);
    }

    [Fact]
    public void ADamagedChunkNamesTheFrameAndTheChunk()
    {
        using var dir = new TempDir();
        string path = dir.File("flip.h5");
        DamagedTrajectories.WriteValid(path);
        var bytes = File.ReadAllBytes(path);
        bytes[DamagedTrajectories.ChunkStart(bytes) + 12] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        using var reader = FrameSources.Open(path); // metadata and iterations are intact
        var e = Assert.Throws<BadFileException>(() => reader.ReadFrames(3, 4, new byte[4 * 64]));
        Assert.Contains($"frame 3 (chunk 0: frames 0..{DamagedTrajectories.Frames - 1}) cannot be decoded", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void IterationsThatDoNotStepByTheIntervalAreReadWithAWarning()
    {
        using var dir = new TempDir();
        string path = dir.File("uneven.h5");
        DamagedTrajectories.Craft(path, s => ((long[])s.Iterations!)[4] = 45);
        var warnings = new List<string>();
        var sink = Warnings.Sink;
        Warnings.Sink = warnings.Add;
        try
        {
            using var reader = TrajectoryReader.Open(path);
            Assert.Equal(45, reader.Iterations[4]);
            string expected = $"{path}: /iterations steps by 15 at frame 4 (30 then 45), not by the stored interval 10";
            Assert.Equal([expected], reader.Warnings);
            using var again = FrameSources.Open(path);
            Assert.Equal([expected], warnings); // once per process, however often the file is opened
        }
        finally
        {
            Warnings.Sink = sink;
        }
    }

    [Fact]
    public void EvenlySteppedIterationsGiveNoWarning()
    {
        using var dir = new TempDir();
        string path = dir.File("even.h5");
        DamagedTrajectories.WriteValid(path);
        using var reader = TrajectoryReader.Open(path);
        Assert.Empty(reader.Warnings);
        reader.Verify();
    }

    [Fact]
    public void IntegerAttributesOfEveryWidthAndFloatsOfBothWidthsAreRead()
    {
        using var dir = new TempDir();
        string path = dir.File("widths.h5");
        DamagedTrajectories.Craft(path, s =>
        {
            s.Attributes[TrajectoryFormat.Attr.Nx] = (byte)8;
            s.Attributes[TrajectoryFormat.Attr.Ny] = (short)8;
            s.Attributes[TrajectoryFormat.Attr.Particles] = 16L;
            s.Attributes[TrajectoryFormat.Attr.Speed] = (ushort)1;
            s.Attributes[TrajectoryFormat.Attr.Interval] = 10u;
            s.Attributes[TrajectoryFormat.Attr.Tumble] = 0.1f;
            s.Attributes[TrajectoryFormat.Attr.Density] = 0.25f;
            s.Attributes[TrajectoryFormat.Attr.Seed] = 7L;
            s.Iterations = ((long[])s.Iterations!).Select(v => (int)v).ToArray();
        });
        using var reader = TrajectoryReader.Open(path);
        Assert.Equal((8, 8, 16, 1, 10, 7UL), (reader.Info.Nx, reader.Info.Ny, reader.Info.Particles, reader.Info.Speed, reader.Info.Interval, reader.Info.Seed));
        Assert.Equal(0.1f, (float)reader.Info.Tumble);
        Assert.Equal(0.25, reader.Info.Density);
        Assert.Equal(110, reader.Iterations[^1]);
    }
}
