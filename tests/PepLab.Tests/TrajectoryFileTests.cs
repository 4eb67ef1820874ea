using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

public class TrajectoryFileTests
{
    private static TrajectoryInfo Info(int nx, int ny, int frames) => TrajectoryInfo.FromRun(
        new RunParameters { Density = 0.2, Tumble = 0.05, Nx = nx, Ny = ny, Snapshots = frames, Seed = 77 });

    [Theory]
    [InlineData(8, 8, 1)]
    [InlineData(6, 10, 37)]     // nx != ny, T not a multiple of the chunk length
    [InlineData(40, 24, 300)]
    public void FramesAndMetadataRoundTrip(int nx, int ny, int frames)
    {
        using var dir = new TempDir();
        var path = dir.File("t.h5");
        var rng = new Random(5);
        var written = new List<byte[]>();
        TrajectoryInfo info;
        using (var writer = TrajectoryWriter.Create(path, Info(nx, ny, frames)))
        {
            info = writer.Info; // what it writes: the info given, with this process's provenance
            Assert.Equal(Info(nx, ny, frames), info with { Provenance = null, PeplabVersion = null });
            for (int k = 0; k < frames; k++)
            {
                var f = new byte[nx * ny];
                for (int s = 0; s < f.Length; s++) f[s] = (byte)(rng.Next(10) < 7 ? 0 : rng.Next(1, 5));
                written.Add(f);
                writer.Write(k, 13L * k, f);
            }
            writer.Complete();
        }
        Assert.False(File.Exists(path + AtomicFile.TemporarySuffix));

        using var reader = FrameSources.Open(path);
        Assert.Equal(frames, reader.Count);
        Assert.Equal(Enumerable.Range(0, frames).Select(k => 13L * k), reader.Iterations);
        Assert.Equal(info with { Frames = frames }, reader.Info);
        for (int k = frames - 1; k >= 0; k -= Math.Max(1, frames / 7))
            Assert.Equal(written[k], reader.ReadFrame(k));
        var all = reader.Frames(block: 16).Select(x => x.Frame.ToArray()).ToList();
        Assert.Equal(written, all);
        Assert.Equal(written[^1], reader.ReadFrame(-1));
    }

    [Fact]
    public void DisposingAnIncompleteWriterLeavesNothing()
    {
        using var dir = new TempDir();
        var path = dir.File("t.h5");
        using (var writer = TrajectoryWriter.Create(path, Info(8, 8, 10)))
        {
            writer.Write(0, 0, new byte[64]);
            Assert.True(File.Exists(path + AtomicFile.TemporarySuffix));
            Assert.False(File.Exists(path));
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CancelledRecordingLeavesNoFile()
    {
        using var dir = new TempDir();
        var path = dir.File("t.h5");
        using var cts = new CancellationTokenSource();
        var p = new RunParameters { Density = 0.2, Tumble = 0.1, Nx = 16, Ny = 16, Snapshots = 1000, Seed = 1 };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Recorder.Record(p, path, progress: pr => { if (pr.IterationsDone > 50) cts.Cancel(); }, cancellation: cts.Token));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void ExistingFileIsKeptWithoutOverwrite()
    {
        using var dir = new TempDir();
        var path = dir.File("t.h5");
        File.WriteAllText(path, "precious");
        var e = Assert.Throws<PepLabInputException>(() => TrajectoryWriter.Create(path, Info(4, 4, 2)));
        Assert.Contains("--overwrite", e.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void RecordedFileHoldsTheSimulatedFrames()
    {
        using var dir = new TempDir();
        var path = dir.File("run.h5");
        var p = new RunParameters { Density = 0.3, Tumble = 0.2, Nx = 10, Ny = 14, Warmup = 3, Snapshots = 9, Seed = 8 };
        Recorder.Record(p, path);

        var expected = new List<byte[]>();
        var iterations = new List<long>();
        RunSchedule.Execute(p, new ListSink(expected, iterations));

        using var reader = FrameSources.Open(path);
        Assert.Equal(iterations, reader.Iterations);
        Assert.Equal(expected, reader.Frames().Select(f => f.Frame.ToArray()).ToList());
        Assert.Equal(p.Particles, reader.Info.Particles);
        Assert.Equal(p.EffectiveInterval, reader.Info.Interval);
    }

    [Fact]
    public void ContinuingFromASnapshotKeepsItsParticles()
    {
        using var dir = new TempDir();
        var p = new RunParameters { Density = 0.3, Tumble = 0.2, Nx = 10, Ny = 14, Warmup = 0, Snapshots = 3, Seed = 8 };
        var first = new List<byte[]>();
        RunSchedule.Execute(p, new ListSink(first, new List<long>()));
        var next = new List<byte[]>();
        var sim = RunSchedule.Execute(p with { Seed = 9 }, new ListSink(next, new List<long>()), initialFrame: first[^1]);
        Assert.Equal(first[^1].Count(v => v != 0), sim.Particles);
        Assert.All(next, f => Assert.Equal(sim.Particles, f.Count(v => v != 0)));
    }

    private sealed class ListSink(List<byte[]> frames, List<long> iterations) : IFrameSink
    {
        public void Write(int index, long iteration, ReadOnlySpan<byte> frame)
        {
            frames.Add(frame.ToArray());
            iterations.Add(iteration);
        }
    }
}
