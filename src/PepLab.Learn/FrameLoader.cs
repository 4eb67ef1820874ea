using System.Collections.Concurrent;
using PepLab.Core;
using PepLab.Store;

namespace PepLab.Learn;

/// <summary>
/// A batch of frames for the network: <see cref="Count"/> frames of nx * ny bytes, their P_t, and
/// where each came from. The loader reuses its batches: a batch is valid until the next one is
/// requested.
/// </summary>
public sealed class Batch
{
    internal Batch(int capacity, int frameSize)
    {
        Frames = new byte[capacity * frameSize];
        Tumbles = new float[capacity];
        Runs = new int[capacity];
        FrameIndices = new int[capacity];
        FrameSize = frameSize;
    }

    public byte[] Frames { get; }
    public float[] Tumbles { get; }
    /// <summary><see cref="RunEntry.Id"/> of each frame.</summary>
    public int[] Runs { get; }
    /// <summary>Index of each frame within its run.</summary>
    public int[] FrameIndices { get; }
    public int Count { get; internal set; }
    public int FrameSize { get; }
    public int Capacity => Tumbles.Length;

    public ReadOnlySpan<byte> FrameBytes => Frames.AsSpan(0, Count * FrameSize);
}

/// <summary>Changes one frame in place (an augmentation); called on the loader thread with its own random source.</summary>
public delegate void FrameAugmenter(Span<byte> frame, int nx, int ny, Random random);

/// <summary>Settings of a <see cref="FrameLoader"/>.</summary>
public sealed record LoaderOptions
{
    public int BatchSize { get; init; } = 64;
    /// <summary>Consecutive frames read from a file in one go.</summary>
    public int BlockFrames { get; init; } = 64;
    /// <summary>Frames held for shuffling; the loader's memory is this plus one block plus the batches in flight.</summary>
    public int ShuffleBuffer { get; init; } = 2048;
    public bool Shuffle { get; init; } = true;
    /// <summary>Batches prepared ahead of the consumer.</summary>
    public int Prefetch { get; init; } = 3;
    public ulong Seed { get; init; } = 1;
    /// <summary>Files open at once; runs are visited in random groups of this many, so each file is opened once per epoch.</summary>
    public int MaxOpenFiles { get; init; } = 32;
    /// <summary>Opens a run's frames (default: the file through <see cref="FrameSources.Open"/>).</summary>
    public Func<RunEntry, IFrameSource>? Open { get; init; }
    public FrameAugmenter? Augment { get; init; }
    /// <summary>Run the loader thread at the lowest CPU priority (training: the network's threads come first).</summary>
    public bool LowPriority { get; init; }

    public LoaderOptions Validate()
    {
        if (BatchSize < 1) throw new PepLabInputException("batchSize", $"must be at least 1 (got {BatchSize})");
        if (BlockFrames < 1) throw new PepLabInputException("blockFrames", $"must be at least 1 (got {BlockFrames})");
        if (ShuffleBuffer < 1) throw new PepLabInputException("shuffleBuffer", $"must be at least 1 (got {ShuffleBuffer})");
        if (Prefetch < 1) throw new PepLabInputException("prefetch", $"must be at least 1 (got {Prefetch})");
        return this;
    }
}

/// <summary>
/// Streams the frames of a <see cref="FrameSet"/> in batches. A background thread reads blocks of
/// consecutive frames (the fast path of HDF5) in random order from random runs, mixes them through
/// a fixed-size shuffle buffer, and fills a bounded queue of batches. Every frame is delivered
/// exactly once per epoch; memory is fixed by the options, whatever the size of the data set.
/// </summary>
public sealed class FrameLoader
{
    private readonly FrameSet _set;
    private readonly LoaderOptions _o;
    private readonly int _nx, _ny, _frameSize;
    private readonly byte[] _shuffle;
    private readonly float[] _slotTumble;
    private readonly int[] _slotRun, _slotFrame;
    private readonly byte[] _block;
    private readonly Batch[] _batches;
    private long _peakHeld;
    private bool _running;

    public FrameLoader(FrameSet set, LoaderOptions options)
    {
        _set = set;
        _o = options.Validate();
        if (set.Runs.Count == 0) throw new PepLabInputException("data set", "no frames to load");
        var sizes = set.Runs.Select(r => (r.Run.Info.Nx, r.Run.Info.Ny)).Distinct().ToList();
        if (sizes.Count > 1)
            throw new PepLabInputException("data set", $"mixes lattice sizes ({string.Join(", ", sizes.Select(s => $"{s.Nx}x{s.Ny}"))}); a batch needs one size");
        (_nx, _ny) = sizes[0];
        _frameSize = _nx * _ny;
        int shuffleSlots = _o.Shuffle ? (int)Math.Min(_o.ShuffleBuffer, Math.Max(1, set.TotalFrames)) : 0;
        _shuffle = new byte[(long)shuffleSlots * _frameSize];
        _slotTumble = new float[shuffleSlots];
        _slotRun = new int[shuffleSlots];
        _slotFrame = new int[shuffleSlots];
        _block = new byte[_o.BlockFrames * _frameSize];
        _batches = Enumerable.Range(0, _o.Prefetch + 2).Select(_ => new Batch(_o.BatchSize, _frameSize)).ToArray();
    }

    public int Nx => _nx;
    public int Ny => _ny;
    public long TotalFrames => _set.TotalFrames;
    public int BatchesPerEpoch => (int)((_set.TotalFrames + _o.BatchSize - 1) / _o.BatchSize);

    /// <summary>Frames the loader can hold at once: shuffle buffer + one block + its batches.</summary>
    public long CapacityFrames => _slotRun.Length + _o.BlockFrames + (long)_batches.Length * _o.BatchSize;

    /// <summary>Bytes of frame buffers the loader allocated (fixed at construction).</summary>
    public long BufferBytes => _shuffle.LongLength + _block.LongLength + _batches.Sum(b => (long)b.Frames.Length);

    /// <summary>Most frames the shuffle buffer held at once so far.</summary>
    public long PeakShuffleHeld => Interlocked.Read(ref _peakHeld);

    public int ShuffleSlots => _slotRun.Length;

    /// <summary>
    /// The batches of one epoch (shuffled with a seed derived from the options' seed and
    /// <paramref name="epoch"/>). Each batch is valid until the next is requested. Stop early by
    /// disposing the enumerator (a foreach does).
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, CancellationToken cancellation = default)
    {
        if (_running) throw new InvalidOperationException("one epoch at a time");
        _running = true;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var free = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(_batches));
        using var ready = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), _o.Prefetch);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // Last in line for a core: decompressing frames must never push one of libtorch's
                // threads off its core mid-step (that stalls every thread waiting for it); the
                // loader works in the gaps, and when its queue runs dry the trainer waits and frees a core.
                if (_o.LowPriority) ThreadPriorities.LowerCurrentThread();
                Produce(epoch, free, ready, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                ready.CompleteAdding();
            }
        })
        {
            IsBackground = true,
            Name = "PepLab frame loader",
        };
        thread.Start();
        Batch? current = null;
        try
        {
            foreach (var batch in ready.GetConsumingEnumerable(cancellation))
            {
                if (current is not null) free.Add(current);
                current = batch;
                yield return batch;
            }
            if (failure is not null)
                throw failure is PepLabInputException ? failure : new IOException($"loading frames failed: {failure.Message}", failure);
            cancellation.ThrowIfCancellationRequested();
        }
        finally
        {
            stop.Cancel();
            thread.Join();
            _running = false;
        }
    }

    /// <summary>
    /// The epoch's blocks: ranges cut at multiples of the block size (so reads align with file
    /// chunks). Shuffled: runs in random groups of up to <see cref="LoaderOptions.MaxOpenFiles"/>
    /// (so each file is opened once per epoch, however many there are), each group's blocks in
    /// random order; the shuffle buffer then mixes frames across blocks and groups.
    /// </summary>
    private List<(RunSelection Run, int Start, int Count)> Plan(Random rng)
    {
        var runs = _set.Runs.ToList();
        if (_o.Shuffle) Shuffle(runs, rng);
        var plan = new List<(RunSelection, int, int)>();
        int bf = _o.BlockFrames;
        int group = Math.Max(1, _o.MaxOpenFiles);
        for (int g = 0; g < runs.Count; g += group)
        {
            var blocks = new List<(RunSelection, int, int)>();
            foreach (var run in runs.Skip(g).Take(group))
                foreach (var range in run.Ranges)
                {
                    int b = range.Start;
                    while (b < range.End)
                    {
                        int next = Math.Min(range.End, (b / bf + 1) * bf);
                        blocks.Add((run, b, next - b));
                        b = next;
                    }
                }
            if (_o.Shuffle) Shuffle(blocks, rng);
            plan.AddRange(blocks);
        }
        return plan;
    }

    private static void Shuffle<T>(List<T> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private void Produce(int epoch, BlockingCollection<Batch> free, BlockingCollection<Batch> ready, CancellationToken stop)
    {
        var rng = new Random(unchecked((int)Seeds.Derive(_o.Seed, $"loader|{epoch}")));
        var augmentRng = new Random(unchecked((int)Seeds.Derive(_o.Seed, $"augment|{epoch}")));
        using var sources = new OpenSources(_o.Open ?? (r => FrameSources.Open(r.Path)), _o.MaxOpenFiles, _nx, _ny);
        Batch batch = free.Take(stop);
        batch.Count = 0;
        int slots = _slotRun.Length;
        int held = 0;

        void Emit(ReadOnlySpan<byte> frame, float tumble, int run, int index)
        {
            int k = batch.Count;
            var destination = batch.Frames.AsSpan(k * _frameSize, _frameSize);
            frame.CopyTo(destination);
            _o.Augment?.Invoke(destination, _nx, _ny, augmentRng);
            batch.Tumbles[k] = tumble;
            batch.Runs[k] = run;
            batch.FrameIndices[k] = index;
            batch.Count = k + 1;
            if (batch.Count == batch.Capacity)
            {
                ready.Add(batch, stop);
                batch = free.Take(stop);
                batch.Count = 0;
            }
        }

        foreach (var (sel, start, count) in Plan(rng))
        {
            stop.ThrowIfCancellationRequested();
            var run = sel.Run;
            sources.Get(run).ReadFrames(start, count, _block.AsSpan(0, count * _frameSize));
            float tumble = (float)run.Tumble;
            for (int f = 0; f < count; f++)
            {
                var frame = _block.AsSpan(f * _frameSize, _frameSize);
                if (slots == 0)
                {
                    Emit(frame, tumble, run.Id, start + f);
                    continue;
                }
                if (held < slots)
                {
                    Store(held, frame, tumble, run.Id, start + f);
                    held++;
                    if (held > _peakHeld) Interlocked.Exchange(ref _peakHeld, held);
                    continue;
                }
                // Buffer full: a random held frame leaves, the new one takes its slot.
                int j = rng.Next(slots);
                Emit(_shuffle.AsSpan(j * _frameSize, _frameSize), _slotTumble[j], _slotRun[j], _slotFrame[j]);
                Store(j, frame, tumble, run.Id, start + f);
            }
        }
        // Drain what is left in random order.
        for (int i = held - 1; i >= 0; i--)
        {
            int j = rng.Next(i + 1);
            Emit(_shuffle.AsSpan(j * _frameSize, _frameSize), _slotTumble[j], _slotRun[j], _slotFrame[j]);
            if (j != i) Store(j, _shuffle.AsSpan(i * _frameSize, _frameSize), _slotTumble[i], _slotRun[i], _slotFrame[i]);
        }
        if (batch.Count > 0) ready.Add(batch, stop);
    }

    /// <summary>
    /// The frame sources a producer has open: at most <paramref name="max"/>, closing the least
    /// recently used first; each is checked against the data set's lattice when opened.
    /// </summary>
    private sealed class OpenSources(Func<RunEntry, IFrameSource> open, int max, int nx, int ny) : IDisposable
    {
        private readonly Dictionary<int, IFrameSource> _sources = new();
        private readonly Dictionary<int, long> _lastUse = new();
        private long _clock;

        public IFrameSource Get(RunEntry run)
        {
            if (!_sources.TryGetValue(run.Id, out var source))
            {
                if (_sources.Count >= max)
                {
                    int oldest = _lastUse.MinBy(kv => kv.Value).Key;
                    _sources[oldest].Dispose();
                    _sources.Remove(oldest);
                    _lastUse.Remove(oldest);
                }
                source = open(run);
                if (source.Info.Nx != nx || source.Info.Ny != ny || source.Count < run.Frames)
                    throw new PepLabInputException(run.Path, "changed since the data set was opened");
                _sources[run.Id] = source;
            }
            _lastUse[run.Id] = ++_clock;
            return source;
        }

        public void Dispose()
        {
            foreach (var s in _sources.Values) s.Dispose();
        }
    }

    private void Store(int slot, ReadOnlySpan<byte> frame, float tumble, int run, int index)
    {
        frame.CopyTo(_shuffle.AsSpan(slot * _frameSize, _frameSize));
        _slotTumble[slot] = tumble;
        _slotRun[slot] = run;
        _slotFrame[slot] = index;
    }
}
