using PepLab.Core;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// Writes one PepLab trajectory file frame by frame with memory that does not grow with the number
/// of frames. The file goes through <see cref="AtomicFile"/>: written under its temporary name and
/// renamed only by <see cref="Complete"/>; disposing an incomplete writer deletes the temporary file,
/// a process killed mid-run never leaves a file that looks complete, and a second process writing
/// the same file is refused with <see cref="OutputBusyException"/>.
/// </summary>
public sealed class TrajectoryWriter : IFrameSink, IDisposable
{
    private readonly H5Output _output;
    private readonly H5Dataset<byte[]> _frames;
    private readonly H5Dataset<long[]> _iterationsDataset;
    private readonly long[] _iterations;
    private readonly int _frameSize;
    private readonly byte[] _buffer;
    private readonly ulong _nx, _ny;
    private int _next;

    private TrajectoryWriter(AtomicFile output, TrajectoryInfo info, int compressionLevel)
    {
        var provenance = Provenance.Current();
        info = info with { Provenance = provenance, PeplabVersion = provenance.Version };
        Info = info;
        _nx = (ulong)info.Nx;
        _ny = (ulong)info.Ny;
        _frameSize = info.Nx * info.Ny;
        _iterations = new long[info.Frames];
        _buffer = new byte[_frameSize];
        int perChunk = TrajectoryFormat.FramesPerChunk(_frameSize, info.Frames);

        _frames = new H5Dataset<byte[]>(
            fileDims: [(ulong)info.Frames, _nx, _ny],
            chunks: [(uint)perChunk, (uint)info.Nx, (uint)info.Ny],
            datasetCreation: new H5DatasetCreation(
                ChunkCache: new FlushingChunkCache(),
                Filters: [ZlibDeflateFilter.At(compressionLevel)]));
        _iterationsDataset = new H5Dataset<long[]>(fileDims: [(ulong)info.Frames]);

        var file = new H5File
        {
            [TrajectoryFormat.Frames] = _frames,
            [TrajectoryFormat.Iterations] = _iterationsDataset,
        };
        file.Attributes = Attributes(info);
        _output = new H5Output(output, file);
    }

    /// <summary>Final path of the file.</summary>
    public string Path => _output.Path;

    /// <summary>Temporary path written until <see cref="Complete"/>.</summary>
    public string PartialPath => _output.TemporaryPath;

    /// <summary>The metadata written as root attributes, with this process's provenance.</summary>
    public TrajectoryInfo Info { get; }

    /// <summary>
    /// Starts a file at <paramref name="path"/>. Fails with <see cref="PepLabInputException"/> when the
    /// file exists and <paramref name="overwrite"/> is false, or when the folder cannot be written, and
    /// with <see cref="OutputBusyException"/> when another process is writing the same file.
    /// </summary>
    public static TrajectoryWriter Create(string path, TrajectoryInfo info, bool overwrite = false,
        int compressionLevel = TrajectoryFormat.DefaultCompressionLevel)
    {
        path = System.IO.Path.GetFullPath(path);
        return H5Output.Create(path, overwrite, output => new TrajectoryWriter(output, info, compressionLevel));
    }

    /// <summary>Writes frame <paramref name="index"/>; frames must come in order 0, 1, 2, ...</summary>
    public void Write(int index, long iteration, ReadOnlySpan<byte> frame)
    {
        if (_output.Done) throw new InvalidOperationException("the trajectory is already complete");
        if (index != _next) throw new InvalidOperationException($"frame {index} written out of order (expected {_next})");
        if (index >= _iterations.Length) throw new InvalidOperationException($"the file holds {_iterations.Length} frames");
        if (frame.Length != _frameSize) throw new ArgumentException($"frame has {frame.Length} sites, expected {_frameSize}");
        frame.CopyTo(_buffer);
        _output.Writer.Write(_frames, _buffer, fileSelection: new HyperslabSelection(
            rank: 3,
            starts: [(ulong)index, 0, 0],
            blocks: [1, _nx, _ny]));
        _iterations[index] = iteration;
        _next++;
    }

    /// <summary>Number of frames written so far.</summary>
    public int FramesWritten => _next;

    /// <summary>Closes the file and gives it its final name. Every declared frame must have been written.</summary>
    public void Complete()
    {
        if (_output.Done) return;
        if (_next != _iterations.Length)
            throw new InvalidOperationException($"only {_next} of {_iterations.Length} frames were written");
        _output.Writer.Write(_iterationsDataset, _iterations);
        _output.Commit();
    }

    /// <summary>Closes the writer; an incomplete file is deleted.</summary>
    public void Dispose() => _output.Dispose();

    private static Dictionary<string, object> Attributes(TrajectoryInfo info)
    {
        var a = new Dictionary<string, object>
        {
            [TrajectoryFormat.Attr.Format] = TrajectoryFormat.FormatName,
            [TrajectoryFormat.Attr.FormatVersion] = TrajectoryFormat.Version,
            [TrajectoryFormat.Attr.Density] = info.Density,
            [TrajectoryFormat.Attr.DensityRequested] = info.DensityRequested,
            [TrajectoryFormat.Attr.Tumble] = info.Tumble,
            [TrajectoryFormat.Attr.Nx] = info.Nx,
            [TrajectoryFormat.Attr.Ny] = info.Ny,
            [TrajectoryFormat.Attr.Particles] = info.Particles,
            [TrajectoryFormat.Attr.FrameCodes] = Orientation.CodeTable,
            [TrajectoryFormat.Attr.Generator] = info.Generator ?? SimulationStream.Current,
            [TrajectoryFormat.Attr.PeplabVersion] = info.Provenance!.Version,
            [TrajectoryFormat.Attr.CommandLine] = info.Provenance.CommandLine,
            [TrajectoryFormat.Attr.CreatedUtc] = info.Provenance.CreatedUtc,
            [TrajectoryFormat.Attr.Host] = info.Provenance.Host,
        };
        if (info.Speed is { } speed) a[TrajectoryFormat.Attr.Speed] = speed;
        if (info.Warmup is { } warmup) a[TrajectoryFormat.Attr.Warmup] = warmup;
        if (info.Interval is { } interval) a[TrajectoryFormat.Attr.Interval] = interval;
        if (info.Seed is { } seed) a[TrajectoryFormat.Attr.Seed] = seed;
        return a;
    }
}
