using PepLab.Core;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>Reads a PepLab trajectory file (<see cref="TrajectoryFormat"/>).</summary>
public sealed class TrajectoryReader : IFrameSource
{
    private readonly NativeFile _file;
    private readonly NativeDataset _frames;
    private readonly long[] _iterations;

    private TrajectoryReader(string path, NativeFile file)
    {
        Path = path;
        _file = file;
        Info = ReadInfo(path, file);
        _frames = (NativeDataset)file.Dataset(TrajectoryFormat.Frames);
        var dims = _frames.Space.Dimensions;
        if (dims.Length != 3 || (int)dims[1] != Info.Nx || (int)dims[2] != Info.Ny || _frames.Type.Size != 1)
            throw new PepLabInputException(path, $"/{TrajectoryFormat.Frames} is not uint8 (T, {Info.Nx}, {Info.Ny})");
        _iterations = file.Dataset(TrajectoryFormat.Iterations).Read<long[]>();
        if (_iterations.Length != (int)dims[0])
            throw new PepLabInputException(path, $"/{TrajectoryFormat.Iterations} has {_iterations.Length} entries for {dims[0]} frames");
        Info = Info with { Frames = (int)dims[0] };
    }

    public string Path { get; }
    public TrajectoryInfo Info { get; }
    public int Count => _iterations.Length;
    public IReadOnlyList<long> Iterations => _iterations;

    /// <summary>Opens a PepLab trajectory file.</summary>
    public static TrajectoryReader Open(string path)
    {
        ZlibDeflateFilter.EnsureRegistered();
        var file = H5File.OpenRead(path);
        try
        {
            return new TrajectoryReader(path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an already open file (layout detection opens it once); the reader owns it once this returns.</summary>
    internal static TrajectoryReader Open(string path, NativeFile file) => new(path, file);

    /// <summary>True when the open HDF5 file carries PepLab's format attribute.</summary>
    public static bool IsPepLab(NativeFile file) =>
        file.AttributeExists(TrajectoryFormat.Attr.Format)
        && file.Attribute(TrajectoryFormat.Attr.Format).Read<string>() == TrajectoryFormat.FormatName;

    public void ReadFrames(int start, int count, Span<byte> destination)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"frames {start}..{start + count - 1} outside 0..{Count - 1}");
        int size = Info.Nx * Info.Ny;
        if (destination.Length < count * size) throw new ArgumentException("destination too small", nameof(destination));
        if (count == 0) return;
        var selection = new HyperslabSelection(rank: 3,
            starts: [(ulong)start, 0, 0],
            blocks: [(ulong)count, (ulong)Info.Nx, (ulong)Info.Ny]);
        _frames.Read(destination[..(count * size)], fileSelection: selection, memoryDims: [(ulong)(count * size)]);
    }

    private static TrajectoryInfo ReadInfo(string path, NativeFile file)
    {
        if (!IsPepLab(file))
            throw new PepLabInputException(path, $"is not a PepLab trajectory (no '{TrajectoryFormat.Attr.Format} = {TrajectoryFormat.FormatName}' attribute)");
        int version = ReadInt(file, TrajectoryFormat.Attr.FormatVersion) ?? 0;
        if (version != TrajectoryFormat.Version)
            throw new PepLabInputException(path, $"has format_version {version}; this PepLab reads version {TrajectoryFormat.Version}");
        int nx = ReadInt(file, TrajectoryFormat.Attr.Nx) ?? throw Missing(path, TrajectoryFormat.Attr.Nx);
        int ny = ReadInt(file, TrajectoryFormat.Attr.Ny) ?? throw Missing(path, TrajectoryFormat.Attr.Ny);
        return new TrajectoryInfo
        {
            Layout = TrajectoryLayout.PepLab,
            Density = ReadDouble(file, TrajectoryFormat.Attr.Density) ?? throw Missing(path, TrajectoryFormat.Attr.Density),
            DensityRequested = ReadDouble(file, TrajectoryFormat.Attr.DensityRequested) ?? ReadDouble(file, TrajectoryFormat.Attr.Density)!.Value,
            Tumble = ReadDouble(file, TrajectoryFormat.Attr.Tumble) ?? throw Missing(path, TrajectoryFormat.Attr.Tumble),
            Nx = nx,
            Ny = ny,
            Particles = ReadInt(file, TrajectoryFormat.Attr.Particles) ?? throw Missing(path, TrajectoryFormat.Attr.Particles),
            Frames = 0,
            Speed = ReadInt(file, TrajectoryFormat.Attr.Speed),
            Warmup = ReadInt(file, TrajectoryFormat.Attr.Warmup),
            Interval = ReadInt(file, TrajectoryFormat.Attr.Interval),
            Seed = file.AttributeExists(TrajectoryFormat.Attr.Seed) ? file.Attribute(TrajectoryFormat.Attr.Seed).Read<ulong>() : null,
            Generator = file.AttributeExists(TrajectoryFormat.Attr.Generator) ? file.Attribute(TrajectoryFormat.Attr.Generator).Read<string>() : null,
            PeplabVersion = file.AttributeExists(TrajectoryFormat.Attr.PeplabVersion) ? file.Attribute(TrajectoryFormat.Attr.PeplabVersion).Read<string>() : null,
        };
    }

    private static int? ReadInt(NativeFile file, string name) =>
        file.AttributeExists(name) ? file.Attribute(name).Read<int>() : null;

    private static double? ReadDouble(NativeFile file, string name) =>
        file.AttributeExists(name) ? file.Attribute(name).Read<double>() : null;

    private static PepLabInputException Missing(string path, string attribute) =>
        new(path, $"lacks the '{attribute}' attribute of a PepLab trajectory");

    public void Dispose() => _file.Dispose();
}
