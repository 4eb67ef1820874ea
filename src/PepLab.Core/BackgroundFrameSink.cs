using System.Collections.Concurrent;

namespace PepLab.Core;

/// <summary>
/// Hands frames to another sink on a background thread, so that simulating the next frames and
/// compressing/writing the previous ones overlap. At most <c>capacity</c> frames wait in memory;
/// a full queue blocks the producer, so memory does not grow with the run's length.
/// </summary>
public sealed class BackgroundFrameSink : IFrameSink, IDisposable
{
    private readonly IFrameSink _inner;
    private readonly BlockingCollection<(int Index, long Iteration, byte[] Frame)> _queue;
    private readonly ConcurrentBag<byte[]> _free = new();
    private readonly Thread _thread;
    private Exception? _error;
    private bool _completed;

    public BackgroundFrameSink(IFrameSink inner, int capacity = 16)
    {
        _inner = inner;
        _queue = new(boundedCapacity: Math.Max(1, capacity));
        _thread = new Thread(Drain) { IsBackground = true, Name = "PepLab frame writer" };
        _thread.Start();
    }

    public void Write(int index, long iteration, ReadOnlySpan<byte> frame)
    {
        ThrowIfFailed();
        if (!_free.TryTake(out var buffer) || buffer.Length != frame.Length) buffer = new byte[frame.Length];
        frame.CopyTo(buffer);
        _queue.Add((index, iteration, buffer));
    }

    /// <summary>Waits until every queued frame is written; rethrows a failure of the inner sink.</summary>
    public void Complete()
    {
        if (!_completed)
        {
            _completed = true;
            _queue.CompleteAdding();
            _thread.Join();
        }
        ThrowIfFailed();
    }

    private void Drain()
    {
        foreach (var (index, iteration, frame) in _queue.GetConsumingEnumerable())
        {
            if (_error is not null) continue;
            try
            {
                _inner.Write(index, iteration, frame);
            }
            catch (Exception e)
            {
                _error = e;
            }
            _free.Add(frame);
        }
    }

    private void ThrowIfFailed()
    {
        if (_error is { } e) throw new IOException($"writing frames failed: {e.Message}", e);
    }

    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _queue.CompleteAdding();
            _thread.Join();
        }
        _queue.Dispose();
    }
}
