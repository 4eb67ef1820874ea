using PepLab.Core;
using PepLab.Store;

namespace PepLab.Learn.Tests;

public class LoaderTests
{
    /// <summary>Runs of different lengths, some with several ranges, in memory; frame bytes name (run, index).</summary>
    private static (FrameSet Set, Dictionary<int, IFrameSource> Sources) Labelled()
    {
        var sources = new Dictionary<int, IFrameSource>();
        var runs = new List<RunSelection>();
        int[] lengths = [700, 333, 1000, 65, 512];
        for (int id = 0; id < lengths.Length; id++)
        {
            var run = TestData.LabelledRun(id, lengths[id], 0.01 * (id + 1), out var source);
            sources[id] = source;
            var ranges = id == 2
                ? new List<FrameSpan> { new(0, 100), new(150, 600), new(900, 100) }
                : [new FrameSpan(0, run.Frames)];
            runs.Add(new RunSelection(run, ranges));
        }
        return (new FrameSet(runs), sources);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryFrameIsVisitedExactlyOncePerEpoch(bool shuffle)
    {
        var (set, sources) = Labelled();
        var options = new LoaderOptions { BatchSize = 48, BlockFrames = 32, ShuffleBuffer = 200, Shuffle = shuffle, Seed = 9, Open = r => sources[r.Id] };
        var loader = new FrameLoader(set, options);
        var expected = set.Runs.SelectMany(r => r.Ranges.SelectMany(x => Enumerable.Range(x.Start, x.Count)).Select(f => (r.Run.Id, f))).ToList();
        Assert.Equal(700 + 333 + 800 + 65 + 512, expected.Count);
        var orders = new List<List<(int, int)>>();
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            var seen = new List<(int Run, int Frame)>();
            int batches = 0;
            foreach (var batch in loader.Epoch(epoch))
            {
                batches++;
                Assert.True(batch.Count <= options.BatchSize);
                for (int i = 0; i < batch.Count; i++)
                {
                    int run = batch.Runs[i], frame = batch.FrameIndices[i];
                    // The bytes delivered are that frame's bytes, and the label is its run's P_t.
                    var bytes = batch.Frames.AsSpan(i * batch.FrameSize, batch.FrameSize);
                    Assert.Equal((byte)run, bytes[0]);
                    Assert.Equal(frame, bytes[1] + 256 * bytes[2]);
                    Assert.Equal((float)(0.01 * (run + 1)), batch.Tumbles[i]);
                    seen.Add((run, frame));
                }
            }
            Assert.Equal(loader.BatchesPerEpoch, batches);
            Assert.Equal(expected.Count, seen.Count);
            Assert.Equal(expected.Order(), seen.Order());
            orders.Add(seen);
        }
        if (shuffle)
        {
            Assert.NotEqual(expected, orders[0]);
            Assert.NotEqual(orders[0], orders[1]);
            // Shuffled across runs: the first 200 frames come from several runs.
            Assert.True(orders[0].Take(200).Select(x => x.Item1).Distinct().Count() >= 3);
        }
        else
        {
            Assert.Equal(expected, orders[0]);
            Assert.Equal(orders[0], orders[1]);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameOrder()
    {
        var (set, sources) = Labelled();
        List<(int, int)> Order()
        {
            var loader = new FrameLoader(set, new LoaderOptions { BatchSize = 50, ShuffleBuffer = 100, Seed = 4, Open = r => sources[r.Id] });
            return loader.Epoch(3).SelectMany(b => Enumerable.Range(0, b.Count).Select(i => (b.Runs[i], b.FrameIndices[i])).ToList()).ToList();
        }
        Assert.Equal(Order(), Order());
    }

    [Fact]
    public void MemoryIsBoundedByTheBufferNotTheDataSet()
    {
        var (set, sources) = Labelled();
        var small = new FrameLoader(set, new LoaderOptions { BatchSize = 16, BlockFrames = 16, ShuffleBuffer = 64, Open = r => sources[r.Id] });
        int count = small.Epoch(1).Sum(b => b.Count);
        Assert.Equal(set.TotalFrames, count);
        Assert.True(small.PeakShuffleHeld <= 64, $"held {small.PeakShuffleHeld} frames");
        Assert.Equal(64, small.PeakShuffleHeld); // it did fill its buffer
        // Fixed allocation: shuffle slots + one block + (prefetch + 2) batches, far below the data set.
        long frameBytes = 8 * 8;
        Assert.Equal((64 + 16 + (3 + 2) * 16) * frameBytes, small.BufferBytes);
        Assert.Equal(64 + 16 + 5 * 16, small.CapacityFrames);
        Assert.True(small.CapacityFrames * 10 < set.TotalFrames);
        // A data set twice as large gets the same buffers.
        var doubled = new FrameSet(set.Runs.Concat(set.Runs.Select(r => r with { Run = r.Run with { Id = r.Run.Id + 100 } })).ToList());
        var sourcesDoubled = sources.Concat(sources.Select(kv => KeyValuePair.Create(kv.Key + 100, kv.Value))).ToDictionary();
        var big = new FrameLoader(doubled, new LoaderOptions { BatchSize = 16, BlockFrames = 16, ShuffleBuffer = 64, Open = r => sourcesDoubled[r.Id] });
        Assert.Equal(2 * set.TotalFrames, big.Epoch(1).Sum(b => b.Count));
        Assert.Equal(small.BufferBytes, big.BufferBytes);
        Assert.True(big.PeakShuffleHeld <= 64);
    }

    [Fact]
    public void EachFileIsOpenedOncePerEpochWhateverTheNumberOfRuns()
    {
        var (set, sources) = Labelled();
        int opens = 0;
        var loader = new FrameLoader(set, new LoaderOptions
        {
            BatchSize = 32, ShuffleBuffer = 100, MaxOpenFiles = 2,
            Open = r => { Interlocked.Increment(ref opens); return sources[r.Id]; },
        });
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            opens = 0;
            var seen = loader.Epoch(epoch).SelectMany(b => Enumerable.Range(0, b.Count).Select(i => (b.Runs[i], b.FrameIndices[i])).ToList()).ToList();
            Assert.Equal(set.TotalFrames, seen.Distinct().Count());
            Assert.Equal(set.Runs.Count, opens);
        }
    }

    [Fact]
    public void StoppingEarlyEndsTheEpochCleanly()
    {
        var (set, sources) = Labelled();
        var loader = new FrameLoader(set, new LoaderOptions { BatchSize = 10, ShuffleBuffer = 50, Open = r => sources[r.Id] });
        int taken = loader.Epoch(1).Take(3).Sum(b => b.Count);
        Assert.Equal(30, taken);
        Assert.Equal(set.TotalFrames, loader.Epoch(2).Sum(b => b.Count)); // usable again
    }

    [Fact]
    public void AFailingSourceIsReportedToTheConsumer()
    {
        var (set, _) = Labelled();
        var loader = new FrameLoader(set, new LoaderOptions { BatchSize = 10, Open = r => throw new PepLabInputException(r.Path, "broken") });
        var e = Assert.Throws<PepLabInputException>(() => loader.Epoch(1).Sum(b => b.Count));
        Assert.Contains("broken", e.Message);
    }

    [Fact]
    public void ReadsHdf5TrajectoriesInBlocks()
    {
        using var dir = new TempDir();
        TestData.Tiny(dir.Path, [0.05, 0.3], replicas: 1, frames: 70, side: 16);
        var data = TrajectorySet.Open(dir.Path);
        Assert.Equal(2, data.Runs.Count);
        var loader = new FrameLoader(data.All(), new LoaderOptions { BatchSize = 32, BlockFrames = 16, ShuffleBuffer = 40 });
        var byFrame = new Dictionary<(int, int), byte[]>();
        foreach (var batch in loader.Epoch(1))
            for (int i = 0; i < batch.Count; i++)
                byFrame.Add((batch.Runs[i], batch.FrameIndices[i]), batch.Frames.AsSpan(i * 256, 256).ToArray());
        Assert.Equal(140, byFrame.Count);
        foreach (var run in data.Runs)
        {
            using var source = FrameSources.Open(run.Path);
            for (int f = 0; f < run.Frames; f += 13)
                Assert.Equal(source.ReadFrame(f), byFrame[(run.Id, f)]);
        }
    }

    [Fact]
    public void AugmentationKeepsFramesValid()
    {
        var (set, sources) = Labelled();
        var frame = new byte[64];
        var rng = new Random(1);
        for (int i = 0; i < frame.Length; i++) frame[i] = (byte)(rng.NextDouble() < 0.4 ? rng.Next(1, 5) : 0);
        var augment = Augmentation.Create(AugmentKind.All)!;
        for (int k = 0; k < 20; k++)
        {
            var copy = (byte[])frame.Clone();
            augment(copy, 8, 8, rng);
            Assert.True(Orientation.IsValidFrame(copy));
            Assert.Equal(frame.Count(v => v != 0), copy.Count(v => v != 0));
            // D4 permutes the four orientations, so the multiset of {up/down} + {left/right} counts is kept.
            int vertical = frame.Count(v => v is 1 or 3), horizontal = frame.Count(v => v is 2 or 4);
            int v2 = copy.Count(v => v is 1 or 3), h2 = copy.Count(v => v is 2 or 4);
            Assert.Equal(new[] { vertical, horizontal }.Order(), new[] { v2, h2 }.Order());
        }
        Assert.Null(Augmentation.Create(AugmentKind.None));
        Assert.Throws<PepLabInputException>(() => Augmentation.Parse("flip"));
    }
}
