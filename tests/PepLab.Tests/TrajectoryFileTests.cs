using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;
using PureHDF;

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
        Assert.True(((TrajectoryReader)reader).ReadsChunksDirectly); // one chunk or several, PepLab's layout is read through its index
        Assert.Equal(frames, reader.Count);
        Assert.Equal(Enumerable.Range(0, frames).Select(k => 13L * k), reader.Iterations);
        Assert.Equal(info with { Frames = frames }, reader.Info);
        for (int k = frames - 1; k >= 0; k -= Math.Max(1, frames / 7))
            Assert.Equal(written[k], reader.ReadFrame(k));
        var all = reader.Frames(block: 16).Select(x => x.Frame.ToArray()).ToList();
        Assert.Equal(written, all);
        Assert.Equal(written[^1], reader.ReadFrame(-1));
    }

    /// <summary>Writes <paramref name="frames"/> random frames of nx x ny (seeded) at deflate <paramref name="level"/>; returns them.</summary>
    private static List<byte[]> WriteRandom(string path, int nx, int ny, int frames, int level = TrajectoryFormat.DefaultCompressionLevel)
    {
        var rng = new Random(11);
        var written = new List<byte[]>();
        using var writer = TrajectoryWriter.Create(path, Info(nx, ny, frames), compressionLevel: level);
        for (int k = 0; k < frames; k++)
        {
            var f = new byte[nx * ny];
            for (int s = 0; s < f.Length; s++) f[s] = (byte)(rng.Next(10) < 7 ? 0 : rng.Next(1, 5));
            written.Add(f);
            writer.Write(k, k, f);
        }
        writer.Complete();
        return written;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0)] // deflate at level 0: stored blocks, still through the filter
    public void ChunksReadThroughTheIndexAgreeWithPureHdfForEveryKindOfRange(int level)
    {
        using var dir = new TempDir();
        var path = dir.File("t.h5");
        // 64 x 64: 64 frames per chunk, so 150 frames are three chunks, the last one part full
        var written = WriteRandom(path, 64, 64, 150, level);
        using var reader = TrajectoryReader.Open(path);
        Assert.True(reader.ReadsChunksDirectly);
        using var file = PureHDF.H5File.OpenRead(path);
        var frames = file.Dataset(TrajectoryFormat.Frames);
        int size = 64 * 64;
        (int Start, int Count)[] ranges = [(0, 150), (0, 64), (64, 64), (128, 22), (0, 1), (63, 2), (10, 100), (149, 1), (100, 50), (5, 0)];
        foreach (var (start, count) in ranges)
        {
            var direct = new byte[count * size];
            reader.ReadFrames(start, count, direct);
            var selection = new PureHDF.Selections.HyperslabSelection(rank: 3, starts: [(ulong)start, 0, 0], blocks: [(ulong)count, 64, 64]);
            var viaPureHdf = new byte[count * size];
            if (count > 0) frames.Read(viaPureHdf, fileSelection: selection, memoryDims: [(ulong)viaPureHdf.Length]);
            Assert.Equal(viaPureHdf, direct);
            Assert.Equal(written.Skip(start).Take(count).SelectMany(f => f).ToArray(), direct);
        }
        // frame by frame, backwards: each partly read chunk is inflated once and kept
        for (int k = 149; k >= 0; k--) Assert.Equal(written[k], reader.ReadFrame(k));
    }

    [Fact]
    public void ADamagedChunkFoundThroughTheIndexNamesItsFrames()
    {
        using var dir = new TempDir();
        var path = dir.File("t.h5");
        WriteRandom(path, 64, 64, 150);
        Hdf5Chunk second;
        using (var links = Hdf5Links.Open(path))
            second = links.TryDescribeChunkedDataset(links.TryFindRootLink(TrajectoryFormat.Frames)!.Value)!.Chunks[1];
        var bytes = File.ReadAllBytes(path);
        bytes.AsSpan((int)second.Address + second.Size / 2, 16).Fill(0xA5);
        File.WriteAllBytes(path, bytes);
        using var reader = TrajectoryReader.Open(path);
        Assert.True(reader.ReadsChunksDirectly);
        var block = new byte[150 * 64 * 64];
        reader.ReadFrames(0, 64, block); // the first chunk is intact
        var e = Assert.Throws<BadFileException>(() => reader.ReadFrames(0, 150, block));
        Assert.Contains(path, e.Message);
        Assert.Contains("frame 64 (chunk 1: frames 64..127) cannot be decoded, the file is damaged", e.Message);
        Assert.DoesNotContain('\n', e.Message);
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
