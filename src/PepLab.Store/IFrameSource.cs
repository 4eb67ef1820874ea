using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// A readable trajectory of either layout: its metadata, the iteration of each frame, and frames
/// read by index or in blocks. Block reads are the fast path (one HDF5 read per chunk of frames).
/// Implementations are safe for one reader thread at a time.
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>The file the frames come from.</summary>
    string Path { get; }

    /// <summary>The run's metadata.</summary>
    TrajectoryInfo Info { get; }

    /// <summary>Number of frames.</summary>
    int Count { get; }

    /// <summary>Iteration of each frame, in frame order (ascending).</summary>
    IReadOnlyList<long> Iterations { get; }

    /// <summary>
    /// Reads frames <paramref name="start"/> .. start + count - 1 into <paramref name="destination"/>
    /// (count * nx * ny bytes). The file readers validate what they read: a chunk that does not decode
    /// or a value outside 0..4 throws <see cref="BadFileException"/> naming the file and the frame.
    /// </summary>
    void ReadFrames(int start, int count, Span<byte> destination);
}

/// <summary>Conveniences over any <see cref="IFrameSource"/>.</summary>
public static class FrameSourceExtensions
{
    /// <summary>Frame <paramref name="index"/> as a new array (negative counts from the end).</summary>
    public static byte[] ReadFrame(this IFrameSource source, int index)
    {
        if (index < 0) index += source.Count;
        if (index < 0 || index >= source.Count)
            throw new PepLabInputException(source.Path, $"frame {index} is outside 0..{source.Count - 1}");
        var frame = new byte[source.Info.Nx * source.Info.Ny];
        source.ReadFrames(index, 1, frame);
        return frame;
    }

    /// <summary>
    /// Reads every frame once, in blocks, so that the reader validates all of them (each chunk
    /// decodes, every value is 0..4): throws <see cref="BadFileException"/> at the first problem.
    /// </summary>
    public static void Verify(this IFrameSource source, CancellationToken cancellation = default)
    {
        int size = source.Info.Nx * source.Info.Ny;
        int block = Math.Max(1, Math.Min(source.Count, (4 << 20) / size));
        var buffer = new byte[block * size];
        for (int b = 0; b < source.Count; b += block)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = Math.Min(block, source.Count - b);
            source.ReadFrames(b, n, buffer.AsSpan(0, n * size));
        }
    }

    /// <summary>
    /// All frames in order, one at a time, read in blocks of <paramref name="block"/> frames.
    /// The yielded memory is reused: copy it to keep it.
    /// </summary>
    public static IEnumerable<(int Index, long Iteration, ReadOnlyMemory<byte> Frame)> Frames(
        this IFrameSource source, int start = 0, int? end = null, int block = 64)
    {
        int stop = Math.Min(end ?? source.Count, source.Count);
        int size = source.Info.Nx * source.Info.Ny;
        var buffer = new byte[Math.Max(1, Math.Min(block, Math.Max(1, stop - start))) * size];
        for (int b = start; b < stop; b += block)
        {
            int n = Math.Min(block, stop - b);
            source.ReadFrames(b, n, buffer.AsSpan(0, n * size));
            for (int k = 0; k < n; k++)
                yield return (b + k, source.Iterations[b + k], buffer.AsMemory(k * size, size));
        }
    }
}
