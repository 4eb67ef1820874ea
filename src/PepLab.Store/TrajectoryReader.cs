using PepLab.Core;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// Reads a PepLab trajectory file (<see cref="TrajectoryFormat"/>) and validates what it reads, once,
/// here: on opening, the attributes (any integer or float width, values in range), the shape and type
/// of <c>/frames</c> and the iterations (non-negative, strictly increasing; a step other than the
/// stored interval is a warning); as frames are read, every value (0..4) and every chunk (one that
/// does not inflate names its frames). Every problem is a one-line <see cref="BadFileException"/>
/// naming the file.
/// </summary>
public sealed class TrajectoryReader : IFrameSource
{
    private readonly NativeFile _file;
    private readonly NativeDataset _frames;
    private readonly long[] _iterations;
    private readonly int _framesPerChunk;
    private readonly Hdf5Links? _direct;
    private readonly Hdf5ChunkedDataset? _chunks;
    private byte[]? _stored, _partial;
    private int _partialChunk = -1;

    private TrajectoryReader(string path, NativeFile file)
    {
        Path = path;
        _file = file;
        var info = ReadInfo(path, file);
        _frames = Dataset(path, file, TrajectoryFormat.Frames);
        var dims = _frames.Space.Dimensions;
        var type = _frames.Type;
        if (dims.Length != 3 || dims[1] != (ulong)info.Nx || dims[2] != (ulong)info.Ny || dims[0] > int.MaxValue)
            throw new BadFileException(path, $"/{TrajectoryFormat.Frames} has shape ({string.Join(", ", dims)}), not (T, {info.Nx}, {info.Ny}) as its nx and ny attributes say");
        if (type.Class != H5DataTypeClass.FixedPoint || type.Size != 1)
            throw new BadFileException(path, $"/{TrajectoryFormat.Frames} holds {Hdf5Files.Describe(type)} per site, not uint8");
        _framesPerChunk = _frames.Layout.Class == H5DataLayoutClass.Chunked && _frames.Layout.Chunks.Length > 0
            ? (int)Math.Max(1u, _frames.Layout.Chunks[0])
            : 0;
        _iterations = ReadIterations(path, Dataset(path, file, TrajectoryFormat.Iterations), (int)dims[0]);
        Info = info with { Frames = (int)dims[0] };
        Warnings = CheckIterations(path, _iterations, Info.Interval);
        foreach (var w in Warnings) PepLab.Core.Warnings.Report(w);
        (_direct, _chunks) = DirectChunks(path, dims); // last: nothing may throw once it holds a handle
    }

    /// <summary>True when frames are read through the chunk index directly (<see cref="Hdf5Links.TryDescribeChunkedDataset"/>), not through PureHDF.</summary>
    public bool ReadsChunksDirectly => _chunks is not null;

    /// <summary>
    /// The frames' chunks, read directly from the file's fixed-array index, when <c>/frames</c> is laid
    /// out as PepLab writes it (chunks of whole frames, deflate) and agrees with what PureHDF read;
    /// otherwise (null, null), and frames are read through PureHDF.
    /// </summary>
    private static (Hdf5Links?, Hdf5ChunkedDataset?) DirectChunks(string path, ulong[] dims)
    {
        Hdf5Links? links = null;
        try
        {
            links = Hdf5Links.Open(path);
            if (links.TryFindRootLink(TrajectoryFormat.Frames) is { } header
                && links.TryDescribeChunkedDataset(header) is { } chunks
                && chunks.Dims.SequenceEqual(dims) && chunks.ChunkDims[1] == dims[1] && chunks.ChunkDims[2] == dims[2])
                return (links, chunks);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // a structure this narrow reader cannot make sense of: PureHDF reads the file instead,
            // and reports what is wrong with it
        }
        links?.Dispose();
        return (null, null);
    }

    public string Path { get; }
    public TrajectoryInfo Info { get; }
    public int Count => _iterations.Length;
    public IReadOnlyList<long> Iterations => _iterations;

    /// <summary>What is odd but usable about the file (also reported through <see cref="PepLab.Core.Warnings"/>).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Opens a PepLab trajectory file; <see cref="BadFileException"/> when it is missing, damaged or invalid.</summary>
    public static TrajectoryReader Open(string path)
    {
        if (!File.Exists(path)) throw new BadFileException(path, "no such file");
        Hdf5Files.CheckWhole(path);
        ZlibDeflateFilter.EnsureRegistered();
        NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadFileException(path, $"cannot be opened as HDF5 ({BadFileException.Describe(e)})", e);
        }
        try
        {
            return Open(path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps an already open file (layout detection opens it once); the reader owns it once this
    /// returns, the caller still owns it on failure.
    /// </summary>
    internal static TrajectoryReader Open(string path, NativeFile file)
    {
        try
        {
            return new TrajectoryReader(path, file);
        }
        catch (PepLabInputException e) when (e is not BadFileException)
        {
            throw new BadFileException(path, e.Message, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not PepLabInputException)
        {
            throw new BadFileException(path, $"cannot be read as a PepLab trajectory ({BadFileException.Describe(e)})", e);
        }
    }

    /// <summary>True when the open HDF5 file carries PepLab's format attribute.</summary>
    public static bool IsPepLab(NativeFile file) =>
        file.AttributeExists(TrajectoryFormat.Attr.Format)
        && Hdf5Files.IsString(file.Attribute(TrajectoryFormat.Attr.Format).Type)
        && file.Attribute(TrajectoryFormat.Attr.Format).Read<string>() == TrajectoryFormat.FormatName;

    /// <summary>
    /// Reads frames <paramref name="start"/> .. start + count - 1. Throws <see cref="BadFileException"/>
    /// naming the frame when a chunk does not decode or a value is outside 0..4.
    /// </summary>
    public void ReadFrames(int start, int count, Span<byte> destination)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"frames {start}..{start + count - 1} outside 0..{Count - 1}");
        int size = Info.Nx * Info.Ny;
        if (destination.Length < (long)count * size) throw new ArgumentException("destination too small", nameof(destination));
        if (count == 0) return;
        var block = destination[..(count * size)];
        try
        {
            ReadBlock(start, count, block);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Undecodable(start, count, e);
        }
        FrameValues.Check(Path, start, block, size, Info.Ny, i => $"frame {i}");
    }

    private void ReadBlock(int start, int count, Span<byte> block)
    {
        if (_chunks is { } chunks)
        {
            ReadChunks(chunks, start, count, block);
            return;
        }
        var selection = new HyperslabSelection(rank: 3,
            starts: [(ulong)start, 0, 0],
            blocks: [(ulong)count, (ulong)Info.Nx, (ulong)Info.Ny]);
        _frames.Read(block, fileSelection: selection, memoryDims: [(ulong)block.Length]);
    }

    /// <summary>
    /// Reads frames through the chunk index: whole chunks inflate straight into <paramref name="block"/>;
    /// a chunk the range covers in part inflates into a scratch buffer that is kept, so that reading
    /// frame by frame inflates each chunk once.
    /// </summary>
    private void ReadChunks(Hdf5ChunkedDataset chunks, int start, int count, Span<byte> block)
    {
        int size = Info.Nx * Info.Ny;
        int per = (int)chunks.ChunkDims[0];
        for (int c = start / per; c * per < start + count; c++)
        {
            int first = c * per;
            int lo = Math.Max(start, first), hi = Math.Min(start + count, first + per);
            if (lo == first && hi == first + per)
            {
                _direct!.ReadChunk(chunks, c, block.Slice((first - start) * size, chunks.ChunkBytes), ref _stored);
                continue;
            }
            _partial ??= GC.AllocateUninitializedArray<byte>(chunks.ChunkBytes);
            if (_partialChunk != c)
            {
                _partialChunk = -1;
                _direct!.ReadChunk(chunks, c, _partial, ref _stored);
                _partialChunk = c;
            }
            _partial.AsSpan((lo - first) * size, (hi - lo) * size).CopyTo(block[((lo - start) * size)..]);
        }
    }

    /// <summary>The error for a block that failed to decode: finds the first frame that fails alone, and its chunk.</summary>
    private BadFileException Undecodable(int start, int count, Exception e)
    {
        var one = new byte[Info.Nx * Info.Ny];
        for (int f = start; f < start + count; f++)
        {
            try
            {
                ReadBlock(f, 1, one);
            }
            catch (Exception inner) when (inner is not OutOfMemoryException)
            {
                return new BadFileException(Path, $"frame {f}{ChunkOf(f)} cannot be decoded, the file is damaged ({BadFileException.Describe(inner)})", inner);
            }
        }
        return new BadFileException(Path, $"frames {start}..{start + count - 1} cannot be decoded, the file is damaged ({BadFileException.Describe(e)})", e);
    }

    private string ChunkOf(int frame)
    {
        if (_framesPerChunk == 0) return "";
        int chunk = frame / _framesPerChunk;
        int first = chunk * _framesPerChunk, last = Math.Min(Count, first + _framesPerChunk) - 1;
        return $" (chunk {chunk}: frames {first}..{last})";
    }

    private static NativeDataset Dataset(string path, NativeFile file, string name)
    {
        if (!file.LinkExists(name)) throw new BadFileException(path, $"has no /{name} dataset; a PepLab trajectory needs /{TrajectoryFormat.Frames} and /{TrajectoryFormat.Iterations}");
        return file.Dataset(name) as NativeDataset ?? throw new BadFileException(path, $"/{name} is not a dataset");
    }

    private static long[] ReadIterations(string path, NativeDataset dataset, int frames)
    {
        var dims = dataset.Space.Dimensions;
        var type = dataset.Type;
        if (dims.Length != 1)
            throw new BadFileException(path, $"/{TrajectoryFormat.Iterations} has shape ({string.Join(", ", dims)}), not (T,)");
        if (dims[0] != (ulong)frames)
            throw new BadFileException(path, $"/{TrajectoryFormat.Iterations} has {dims[0]} entries for {frames} frames");
        if (type.Class != H5DataTypeClass.FixedPoint)
            throw new BadFileException(path, $"/{TrajectoryFormat.Iterations} holds {Hdf5Files.Describe(type)} per frame, not integers");
        return (type.Size, type.FixedPoint.IsSigned) switch
        {
            (8, true) => dataset.Read<long[]>(),
            (8, false) => Array.ConvertAll(dataset.Read<ulong[]>(), v => v > long.MaxValue ? -1 : (long)v),
            (4, true) => Array.ConvertAll(dataset.Read<int[]>(), v => (long)v),
            (4, false) => Array.ConvertAll(dataset.Read<uint[]>(), v => (long)v),
            _ => throw new BadFileException(path, $"/{TrajectoryFormat.Iterations} holds {Hdf5Files.Describe(type)} per frame, not 4- or 8-byte integers"),
        };
    }

    /// <summary>
    /// Refuses negative or non-increasing iterations (a damaged or hand-edited file); returns a warning
    /// when they do not step by the stored <paramref name="interval"/>.
    /// </summary>
    private static IReadOnlyList<string> CheckIterations(string path, long[] iterations, int? interval)
    {
        if (iterations.Length > 0 && iterations[0] < 0)
            throw new BadFileException(path, $"/{TrajectoryFormat.Iterations}[0] is {iterations[0]}; iterations are counted from 0");
        for (int i = 1; i < iterations.Length; i++)
        {
            if (iterations[i] <= iterations[i - 1])
                throw new BadFileException(path,
                    $"/{TrajectoryFormat.Iterations} does not increase at frame {i} ({iterations[i - 1]} then {iterations[i]}); the file is damaged");
        }
        if (interval is { } step)
        {
            for (int i = 1; i < iterations.Length; i++)
            {
                if (iterations[i] - iterations[i - 1] != step)
                    return [$"{path}: /{TrajectoryFormat.Iterations} steps by {iterations[i] - iterations[i - 1]} at frame {i} ({iterations[i - 1]} then {iterations[i]}), not by the stored interval {step}"];
            }
        }
        return [];
    }

    private static TrajectoryInfo ReadInfo(string path, NativeFile file)
    {
        if (!IsPepLab(file))
            throw new BadFileException(path, $"is not a PepLab trajectory (no '{TrajectoryFormat.Attr.Format} = {TrajectoryFormat.FormatName}' attribute)");
        var version = Hdf5Files.ReadInteger(path, file, TrajectoryFormat.Attr.FormatVersion) ?? 0;
        if (version != TrajectoryFormat.Version)
            throw new BadFileException(path, $"has format_version {version}; this PepLab reads version {TrajectoryFormat.Version}");
        int nx = Int(path, file, TrajectoryFormat.Attr.Nx, 2) ?? throw Missing(path, TrajectoryFormat.Attr.Nx);
        int ny = Int(path, file, TrajectoryFormat.Attr.Ny, 2) ?? throw Missing(path, TrajectoryFormat.Attr.Ny);
        if ((long)nx * ny > int.MaxValue / 4)
            throw new BadFileException(path, $"has nx = {nx} and ny = {ny}: a lattice too large to read");
        // The actual density may be 0 (an empty lattice is a valid, if dull, frame); the requested one may not.
        double density = Real(path, file, TrajectoryFormat.Attr.Density, 0, 1, lowOpen: false) ?? throw Missing(path, TrajectoryFormat.Attr.Density);
        var seed = Hdf5Files.ReadInteger(path, file, TrajectoryFormat.Attr.Seed);
        if (seed is { } s && (s < 0 || s > ulong.MaxValue))
            throw new BadFileException(path, $"attribute '{TrajectoryFormat.Attr.Seed}' is {s}, outside 0..{ulong.MaxValue}");
        var peplabVersion = Hdf5Files.ReadString(path, file, TrajectoryFormat.Attr.PeplabVersion);
        return new TrajectoryInfo
        {
            Layout = TrajectoryLayout.PepLab,
            Density = density,
            DensityRequested = Real(path, file, TrajectoryFormat.Attr.DensityRequested, 0, 1, lowOpen: true) ?? density,
            Tumble = Real(path, file, TrajectoryFormat.Attr.Tumble, 0, 1, lowOpen: false) ?? throw Missing(path, TrajectoryFormat.Attr.Tumble),
            Nx = nx,
            Ny = ny,
            Particles = Int(path, file, TrajectoryFormat.Attr.Particles, 0, nx * ny) ?? throw Missing(path, TrajectoryFormat.Attr.Particles),
            Frames = 0,
            Speed = Int(path, file, TrajectoryFormat.Attr.Speed, 1),
            Warmup = Int(path, file, TrajectoryFormat.Attr.Warmup, 0),
            Interval = Int(path, file, TrajectoryFormat.Attr.Interval, 1),
            Seed = seed is { } v ? (ulong)v : null,
            Generator = Hdf5Files.ReadString(path, file, TrajectoryFormat.Attr.Generator),
            PeplabVersion = peplabVersion,
            Provenance = ReadProvenance(path, file, peplabVersion),
        };
    }

    /// <summary>The file's provenance attributes, each a string when present; null when any is absent (a file written before PepLab recorded them).</summary>
    private static Provenance? ReadProvenance(string path, NativeFile file, string? version)
    {
        var commandLine = Hdf5Files.ReadString(path, file, TrajectoryFormat.Attr.CommandLine);
        var created = Hdf5Files.ReadString(path, file, TrajectoryFormat.Attr.CreatedUtc);
        var host = Hdf5Files.ReadString(path, file, TrajectoryFormat.Attr.Host);
        return version is null || commandLine is null || created is null || host is null
            ? null
            : new Provenance { Version = version, CommandLine = commandLine, CreatedUtc = created, Host = host };
    }

    /// <summary>An integer attribute in <paramref name="min"/>..<paramref name="max"/>, or null when absent.</summary>
    private static int? Int(string path, NativeFile file, string name, int min, int max = int.MaxValue)
    {
        if (Hdf5Files.ReadInteger(path, file, name) is not { } value) return null;
        if (value < min || value > max)
            throw new BadFileException(path, $"attribute '{name}' is {value}, outside {min}..{max}");
        return (int)value;
    }

    /// <summary>A real attribute in [low, high] (or (low, high] when <paramref name="lowOpen"/>), or null when absent.</summary>
    private static double? Real(string path, NativeFile file, string name, double low, double high, bool lowOpen)
    {
        if (Hdf5Files.ReadReal(path, file, name) is not { } value) return null;
        bool inside = (lowOpen ? value > low : value >= low) && value <= high;
        if (!inside)
            throw new BadFileException(path, $"attribute '{name}' is {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, outside {(lowOpen ? "(" : "[")}{low}, {high}]");
        return value;
    }

    private static BadFileException Missing(string path, string attribute) =>
        new(path, $"lacks the '{attribute}' attribute of a PepLab trajectory");

    public void Dispose()
    {
        _direct?.Dispose();
        _file.Dispose();
    }
}
