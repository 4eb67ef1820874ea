using PepLab.Store;

namespace PepLab.Learn;

/// <summary>Frames held in memory behind the <see cref="IFrameSource"/> interface (benchmarks, tests).</summary>
public sealed class InMemoryFrameSource : IFrameSource
{
    private readonly byte[] _frames;
    private readonly long[] _iterations;

    public InMemoryFrameSource(string path, TrajectoryInfo info, byte[] frames, IReadOnlyList<long>? iterations = null)
    {
        int size = info.Nx * info.Ny;
        if (frames.Length % size != 0) throw new ArgumentException("frames is not a whole number of frames", nameof(frames));
        Path = path;
        _frames = frames;
        int count = frames.Length / size;
        Info = info with { Frames = count };
        _iterations = iterations?.ToArray() ?? Enumerable.Range(0, count).Select(i => (long)i).ToArray();
    }

    /// <summary>Reads every frame of <paramref name="source"/> into memory.</summary>
    public static InMemoryFrameSource Load(IFrameSource source)
    {
        var frames = new byte[(long)source.Count * source.Info.Nx * source.Info.Ny];
        int size = source.Info.Nx * source.Info.Ny;
        for (int b = 0; b < source.Count; b += 128)
        {
            int n = Math.Min(128, source.Count - b);
            source.ReadFrames(b, n, frames.AsSpan(b * size, n * size));
        }
        return new InMemoryFrameSource(source.Path, source.Info, frames, source.Iterations);
    }

    public string Path { get; }
    public TrajectoryInfo Info { get; }
    public int Count => _iterations.Length;
    public IReadOnlyList<long> Iterations => _iterations;

    public void ReadFrames(int start, int count, Span<byte> destination)
    {
        if (start < 0 || count < 0 || start + count > Count) throw new ArgumentOutOfRangeException(nameof(start));
        int size = Info.Nx * Info.Ny;
        _frames.AsSpan(start * size, count * size).CopyTo(destination);
    }

    /// <summary>Does nothing: the frames belong to whoever made this source, and it may be opened again.</summary>
    public void Dispose()
    {
    }
}
