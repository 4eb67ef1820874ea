using System.Runtime.InteropServices;
using PepLab.Core;
using PureHDF;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// Reads a file of the original sampler's layout (<see cref="LegacyFormat"/>): P_t and density
/// from the file name, one frame per <c>conf_{iteration}</c> dataset in iteration order, the rolled
/// <c>conf_{iteration}_{roll}</c> copies counted but never served as frames. The root group is
/// listed once. For the old-style groups h5py writes, <see cref="Hdf5Links"/> lists names and
/// header addresses straight from the symbol table (PureHDF reads all 14,000 child headers of a
/// rolled file to list it, seconds), and each frame's header is read only when the frame is, its
/// bytes read directly when it is a plain integer array; any other group or dataset goes through
/// PureHDF. PureHDF does not convert types on read, so each dataset's integer class and size are
/// checked and its values read at that size, then checked to be 0..4.
/// </summary>
public sealed class LegacyReader : IFrameSource
{
    private readonly NativeFile _file;
    private readonly Hdf5Links? _links;
    private readonly Frame[] _frames;
    private readonly long[] _iterations;
    private byte[] _scratch = [];

    private enum ElementType { UInt8, Int8, UInt16, Int16, UInt32, Int32, UInt64, Int64 }

    /// <summary>A frame dataset: found by PureHDF (<see cref="Dataset"/>) or by its header address; described when first read.</summary>
    private sealed class Frame(string name, long iteration, long header, NativeDataset? dataset)
    {
        public string Name { get; } = name;
        public long Iteration { get; } = iteration;
        public long Header { get; } = header;
        public NativeDataset? Dataset { get; set; } = dataset;
        public Hdf5PlainDataset? Plain { get; set; }
        public bool Described { get; set; }
    }

    private LegacyReader(string path, NativeFile file, Hdf5Links? links, IEnumerable<(string Name, long Header, NativeDataset? Dataset)> datasets)
    {
        Path = path;
        _file = file;
        _links = links;
        if (!LegacyFormat.TryParseFileName(path, out double tumble, out double density))
            throw new BadFileException(path,
                $"holds conf_* datasets of the original layout, but its name does not parse as " +
                $"{LegacyFormat.FilePrefix}{{P_t:.3f}}_{{density}}{LegacyFormat.FileExtension} with P_t in [0, 1] and density in (0, 1]");

        var frames = new List<Frame>();
        var rolls = new SortedSet<int>();
        int rolled = 0;
        foreach (var (name, header, dataset) in datasets)
        {
            if (!LegacyFormat.TryParseDatasetName(name, out long iteration, out int? roll))
                continue;
            if (roll is { } r)
            {
                rolled++;
                rolls.Add(r);
            }
            else
            {
                frames.Add(new Frame(name, iteration, header, dataset));
            }
        }
        if (frames.Count == 0)
            throw new BadFileException(path, "has no conf_{iteration} frame datasets (only rolled copies)");
        frames.Sort((a, b) => a.Iteration.CompareTo(b.Iteration));
        for (int i = 1; i < frames.Count; i++)
        {
            if (frames[i].Iteration == frames[i - 1].Iteration)
                throw new BadFileException(path, $"{frames[i - 1].Name} and {frames[i].Name} are both iteration {frames[i].Iteration}");
        }
        _frames = frames.ToArray();
        _iterations = frames.Select(f => f.Iteration).ToArray();
        RolledCopies = rolled;
        Rolls = rolls.ToArray();

        // Shape and type of the first frame; every other frame is checked against it when read.
        var first = _frames[0];
        var (dims, _) = Describe(first);
        if (dims.Length != 2 || dims[0] < 2 || dims[1] < 2 || dims[0] > int.MaxValue || dims[1] > int.MaxValue)
            throw new BadFileException(path, $"{first.Name} has shape ({string.Join(", ", dims)}), not a 2-d frame (nx, ny)");
        int nx = (int)dims[0], ny = (int)dims[1];
        _ = new Lattice(nx, ny);
        Info = new TrajectoryInfo
        {
            Layout = TrajectoryLayout.Legacy,
            Density = density, // replaced below by the actual N / (nx * ny)
            DensityRequested = density,
            Tumble = tumble,
            Nx = nx,
            Ny = ny,
            Particles = 0,
            Frames = _frames.Length,
            Interval = RegularSpacing(_iterations),
        };

        // The first frame gives the particle count; the last one is read too, so that a file whose
        // data were cut off fails here and not halfway through an analysis.
        var frame = new byte[nx * ny];
        ReadFrames(0, 1, frame);
        int particles = 0;
        foreach (byte v in frame) if (v != 0) particles++;
        if (_frames.Length > 1) ReadFrames(_frames.Length - 1, 1, frame);
        Info = Info with { Particles = particles, Density = (double)particles / ((long)nx * ny) };
    }

    public string Path { get; }
    public TrajectoryInfo Info { get; }
    public int Count => _frames.Length;
    public IReadOnlyList<long> Iterations => _iterations;

    /// <summary>Number of rolled <c>conf_{iteration}_{roll}</c> copies in the file (0 for an unrolled file).</summary>
    public int RolledCopies { get; }

    /// <summary>The distinct shifts of the rolled copies (0, 10, ..., 120 in the original's files).</summary>
    public IReadOnlyList<int> Rolls { get; }

    /// <summary>
    /// Opens a file of the original layout. Throws <see cref="BadFileException"/> naming the
    /// file when its name does not parse or it holds no readable <c>conf_{iteration}</c> frames.
    /// </summary>
    public static LegacyReader Open(string path)
    {
        if (!File.Exists(path)) throw new BadFileException(path, "no such file");
        Hdf5Files.CheckWhole(path);
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
            return OpenIfLegacy(path, file)
                   ?? throw new BadFileException(path, "has no conf_{iteration} datasets of the original layout at its root");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lists the root of an already open file once (the fast symbol-table listing where it applies,
    /// else PureHDF's) and returns a reader when it holds <c>conf_*</c> datasets, else null. The
    /// reader owns <paramref name="file"/> once this returns one; otherwise the caller still owns it.
    /// </summary>
    public static LegacyReader? OpenIfLegacy(string path, NativeFile file)
    {
        var links = Hdf5Links.Open(path);
        try
        {
            IEnumerable<(string, long, NativeDataset?)> datasets;
            if (links.TryListRoot() is { } listed)
            {
                if (!listed.Any(l => LegacyFormat.TryParseDatasetName(l.Name, out _, out _)))
                {
                    links.Dispose();
                    return null;
                }
                datasets = listed.Select(l => (l.Name, l.ObjectHeader, (NativeDataset?)null));
            }
            else
            {
                links.Dispose();
                links = null;
                List<IH5Object> children;
                try
                {
                    children = file.Children().ToList();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new BadFileException(path, $"its root group cannot be listed ({BadFileException.Describe(e)})", e);
                }
                if (!LooksLegacy(children)) return null;
                datasets = children.OfType<NativeDataset>().Select(d => (d.Name, -1L, (NativeDataset?)d));
            }
            return new LegacyReader(path, file, links, datasets);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            links?.Dispose();
            if (e is BadFileException) throw;
            throw new BadFileException(path, $"cannot be read as an original-layout file ({BadFileException.Describe(e)})", e);
        }
    }

    /// <summary>True when any root child is a <c>conf_{iteration}</c> or <c>conf_{iteration}_{roll}</c> dataset.</summary>
    public static bool LooksLegacy(IEnumerable<IH5Object> rootChildren) =>
        rootChildren.Any(c => c is IH5Dataset && LegacyFormat.TryParseDatasetName(c.Name, out _, out _));

    public void ReadFrames(int start, int count, Span<byte> destination)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"frames {start}..{start + count - 1} outside 0..{Count - 1}");
        int size = Info.Nx * Info.Ny;
        if (destination.Length < count * size) throw new ArgumentException("destination too small", nameof(destination));
        for (int k = 0; k < count; k++)
            ReadOne(_frames[start + k], destination.Slice(k * size, size));
    }

    /// <summary>
    /// The shape and element type of a frame dataset: from its header when it is a plain integer
    /// array (<see cref="Hdf5Links.TryDescribePlainDataset"/>), else through PureHDF, which also
    /// names what is wrong with any other kind of dataset.
    /// </summary>
    private (ulong[] Dims, ElementType Element) Describe(Frame frame)
    {
        try
        {
            if (frame.Dataset is null && _links is not null)
            {
                if (!frame.Described)
                {
                    frame.Plain = _links.TryDescribePlainDataset(frame.Header);
                    frame.Described = true;
                }
                if (frame.Plain is { } plain) return (plain.Dims, ElementOf(plain));
                frame.Dataset = _file.Dataset(frame.Name) as NativeDataset
                                ?? throw new BadFileException(Path, $"{frame.Name} is not a dataset");
            }
            var dataset = frame.Dataset!;
            return (dataset.Space.Dimensions, ElementOf(Path, dataset));
        }
        catch (BadFileException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadFileException(Path, $"{frame.Name} cannot be read ({BadFileException.Describe(e)})", e);
        }
    }

    private void ReadOne(Frame source, Span<byte> frame)
    {
        var (dims, element) = Describe(source);
        if (dims.Length != 2 || (long)dims[0] != Info.Nx || (long)dims[1] != Info.Ny)
            throw new BadFileException(Path, $"{source.Name} has shape ({string.Join(", ", dims)}), the first frame ({Info.Nx}, {Info.Ny})");
        try
        {
            int width = Width(element);
            int size = frame.Length;
            if (source.Plain is { } plain)
            {
                if (element == ElementType.UInt8)
                {
                    _links!.Read(plain, frame);
                    FrameValues.Check(Path, 0, frame, size, Info.Ny, _ => source.Name);
                    return;
                }
                if (_scratch.Length < size * width) _scratch = new byte[size * width];
                var bytes = _scratch.AsSpan(0, size * width);
                _links!.Read(plain, bytes);
                Narrow(element, bytes, frame, source.Name);
                return;
            }
            var dataset = source.Dataset!;
            if (element == ElementType.UInt8)
            {
                dataset.Read(frame, memoryDims: [(ulong)size]);
                FrameValues.Check(Path, 0, frame, size, Info.Ny, _ => source.Name);
                return;
            }
            if (_scratch.Length < size * width) _scratch = new byte[size * width];
            var raw = _scratch.AsSpan(0, size * width);
            switch (element)
            {
                case ElementType.Int32: dataset.Read(MemoryMarshal.Cast<byte, int>(raw), memoryDims: [(ulong)size]); break;
                case ElementType.UInt32: dataset.Read(MemoryMarshal.Cast<byte, uint>(raw), memoryDims: [(ulong)size]); break;
                case ElementType.Int16: dataset.Read(MemoryMarshal.Cast<byte, short>(raw), memoryDims: [(ulong)size]); break;
                case ElementType.UInt16: dataset.Read(MemoryMarshal.Cast<byte, ushort>(raw), memoryDims: [(ulong)size]); break;
                case ElementType.Int64: dataset.Read(MemoryMarshal.Cast<byte, long>(raw), memoryDims: [(ulong)size]); break;
                case ElementType.UInt64: dataset.Read(MemoryMarshal.Cast<byte, ulong>(raw), memoryDims: [(ulong)size]); break;
                case ElementType.Int8: dataset.Read(MemoryMarshal.Cast<byte, sbyte>(raw), memoryDims: [(ulong)size]); break;
            }
            Narrow(element, raw, frame, source.Name);
        }
        catch (BadFileException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadFileException(Path, $"{source.Name} cannot be read ({BadFileException.Describe(e)})", e);
        }
    }

    /// <summary>Converts values of any integer width to bytes, checking each is an orientation code 0..4.</summary>
    private void Narrow(ElementType element, ReadOnlySpan<byte> raw, Span<byte> frame, string name)
    {
        switch (element)
        {
            case ElementType.Int32:
            {
                var values = MemoryMarshal.Cast<byte, int>(raw);
                for (int i = 0; i < frame.Length; i++)
                {
                    int v = values[i];
                    if ((uint)v > 4) throw OutOfRange(name, i, v);
                    frame[i] = (byte)v;
                }
                break;
            }
            default:
            {
                for (int i = 0; i < frame.Length; i++)
                {
                    long v = element switch
                    {
                        ElementType.Int8 => (sbyte)raw[i],
                        ElementType.Int16 => MemoryMarshal.Cast<byte, short>(raw)[i],
                        ElementType.UInt16 => MemoryMarshal.Cast<byte, ushort>(raw)[i],
                        ElementType.UInt32 => MemoryMarshal.Cast<byte, uint>(raw)[i],
                        ElementType.Int64 => MemoryMarshal.Cast<byte, long>(raw)[i],
                        ElementType.UInt64 => (long)Math.Min(MemoryMarshal.Cast<byte, ulong>(raw)[i], long.MaxValue),
                        _ => raw[i],
                    };
                    if (v is < 0 or > 4) throw OutOfRange(name, i, v);
                    frame[i] = (byte)v;
                }
                break;
            }
        }
    }

    private BadFileException OutOfRange(string dataset, int site, long value) => FrameValues.OutOfRange(Path, dataset, site, Info.Ny, value);

    private static ElementType ElementOf(string path, NativeDataset dataset)
    {
        var type = dataset.Type;
        if (type.Class != H5DataTypeClass.FixedPoint)
            throw new BadFileException(path, $"{dataset.Name} is of HDF5 class {type.Class}, not an integer frame");
        return ElementOf((int)type.Size, type.FixedPoint.IsSigned)
            ?? throw new BadFileException(path, $"{dataset.Name} holds {type.Size}-byte integers; frames are 1, 2, 4 or 8 bytes");
    }

    private static ElementType ElementOf(Hdf5PlainDataset plain) => ElementOf(plain.ElementSize, plain.Signed) ?? ElementType.Int64;

    /// <summary>The element type of integers of <paramref name="size"/> bytes; null for a size frames never have.</summary>
    private static ElementType? ElementOf(int size, bool signed) => (size, signed) switch
    {
        (1, false) => ElementType.UInt8,
        (1, true) => ElementType.Int8,
        (2, false) => ElementType.UInt16,
        (2, true) => ElementType.Int16,
        (4, false) => ElementType.UInt32,
        (4, true) => ElementType.Int32,
        (8, false) => ElementType.UInt64,
        (8, true) => ElementType.Int64,
        _ => null,
    };

    private static int Width(ElementType e) => e switch
    {
        ElementType.UInt8 or ElementType.Int8 => 1,
        ElementType.UInt16 or ElementType.Int16 => 2,
        ElementType.UInt32 or ElementType.Int32 => 4,
        _ => 8,
    };

    /// <summary>The common step of evenly spaced iterations, or null (fewer than two frames, or uneven).</summary>
    public static int? RegularSpacing(IReadOnlyList<long> iterations)
    {
        if (iterations.Count < 2) return null;
        long step = iterations[1] - iterations[0];
        if (step <= 0 || step > int.MaxValue) return null;
        for (int i = 2; i < iterations.Count; i++)
            if (iterations[i] - iterations[i - 1] != step) return null;
        return (int)step;
    }

    public void Dispose()
    {
        _links?.Dispose();
        _file.Dispose();
    }
}
