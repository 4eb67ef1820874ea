namespace PepLab.Core;

/// <summary>Receives the snapshots of a run in order (the store stage implements it).</summary>
public interface IFrameSink
{
    /// <summary>Stores snapshot <paramref name="index"/> taken at <paramref name="iteration"/>.</summary>
    void Write(int index, long iteration, ReadOnlySpan<byte> frame);
}
