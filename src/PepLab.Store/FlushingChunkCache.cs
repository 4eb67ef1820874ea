using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// A writing chunk cache that holds one chunk: when a write moves on to another chunk, the previous
/// one is compressed and written at once. PureHDF's default cache keeps every chunk until the file
/// is closed, so memory would grow with the number of frames. Frames are written in order, so each
/// chunk is complete when the next one starts.
/// </summary>
internal sealed class FlushingChunkCache : IWritingChunkCache
{
    private ulong _index = ulong.MaxValue;
    private Memory<byte> _chunk;
    private Action<ulong, Memory<byte>>? _writer;

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
    {
        if (chunkIndex == _index) return _chunk;
        // The writer delegate of a call writes to that call's chunk index, so keep each chunk's own.
        _writer?.Invoke(_index, _chunk);
        _index = chunkIndex;
        _chunk = chunkAllocator();
        _writer = chunkWriter;
        return _chunk;
    }

    public void Flush(Action<ulong, Memory<byte>> chunkWriter)
    {
        _writer?.Invoke(_index, _chunk);
        _writer = null;
        _index = ulong.MaxValue;
        _chunk = default;
    }
}
