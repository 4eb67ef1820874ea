using System.Buffers.Binary;
using System.IO.Compression;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;
using PureHDF;

namespace PepLab.Tests;

/// <summary>
/// Writes trajectory files that are damaged (cut off, bit flips, zeroed or overwritten bytes) or
/// invalid (values, iterations, shapes, types and attributes a PepLab trajectory cannot hold), one
/// per <see cref="Kinds"/> entry, for tests that check every reading command refuses each of them.
/// Frames are 8 x 8 at density 0.25 (16 particles), <see cref="Frames"/> of them, an iteration every 10.
/// </summary>
public static class DamagedTrajectories
{
    public const int Side = 8;
    public const int Frames = 12;
    public const int Interval = 10;
    public const int Particles = 16;

    /// <summary>One kind of bad file: a name, what its refusal must say, and how to write it at a path.</summary>
    public sealed record Kind(string Name, string Refusal, Action<string> Write)
    {
        public override string ToString() => Name;
    }

    /// <summary>The layout of a crafted file, valid until a kind changes it.</summary>
    public sealed class Spec
    {
        public object FramesData = ValidFrames();
        public ulong[]? FrameDims = [Frames, Side, Side];
        public object? Iterations = Enumerable.Range(0, Frames).Select(i => (long)i * Interval).ToArray();
        public Dictionary<string, object> Attributes = ValidAttributes();
        public bool WithFrames = true;
    }

    public static IReadOnlyList<Kind> Kinds { get; } =
    [
        // Damage to a file PepLab wrote (deflate-compressed frames), found by its bytes.
        new("truncated", "is truncated", p => Damage(p, b => b[..(b.Length / 2)])),
        new("bit flip in the frames chunk", "cannot be decoded", p => Damage(p, b => { b[ChunkStart(b) + 12] ^= 0x10; return b; })),
        new("zeroed frames chunk", "cannot be decoded", p => Damage(p, b => { b.AsSpan(ChunkStart(b) + 2, 24).Clear(); return b; })),
        new("overwritten frames chunk", "cannot be decoded", p => Damage(p, b => { b.AsSpan(ChunkStart(b) + 6, 16).Fill(0xA5); return b; })),
        new("bit flip in an iteration", "does not increase at frame 6 (8796093022258 then 60)", p => Damage(p, FlipIterationBit)),
        new("overwritten superblock", "cannot be opened as HDF5", p => Damage(p, b => { b.AsSpan(20, 28).Fill(0xFF); return b; })),
        new("empty file", "is not an HDF5 file", p => File.WriteAllBytes(p, [])),
        new("text file", "is not an HDF5 file", p => File.WriteAllText(p, "density,tumble\n0.25,0.1\n")),
        // Crafted files: valid HDF5, invalid trajectory.
        new("frame value 7", "holds the value 7", p => Craft(p, s => { var f = (byte[])s.FramesData; f[3] = 7; f[^5] = 7; })),
        new("all-zero iterations", "does not increase at frame 1 (0 then 0)", p => Craft(p, s => s.Iterations = new long[Frames])),
        new("decreasing iterations", "does not increase at frame 7", p => Craft(p, s => ((long[])s.Iterations!)[7] = 5)),
        new("huge iteration", "does not increase at frame 6 (8796093022748 then 60)", p => Craft(p, s => ((long[])s.Iterations!)[5] = 8796093022748)),
        new("negative first iteration", "iterations[0] is -10", p => Craft(p, s => ((long[])s.Iterations!)[0] = -10)),
        new("missing /frames", "has no /frames dataset", p => Craft(p, s => s.WithFrames = false)),
        new("missing /iterations", "has no /iterations dataset", p => Craft(p, s => s.Iterations = null)),
        new("int32 frames", "not uint8", p => Craft(p, s => s.FramesData = ((byte[])s.FramesData).Select(v => (int)v).ToArray())),
        new("frames of rank 2", "/frames has shape (12, 64)", p => Craft(p, s => s.FrameDims = [Frames, Side * Side])),
        new("frames shape not nx x ny", "/frames has shape (24, 4, 8)", p => Craft(p, s => s.FrameDims = [Frames * 2, Side / 2, Side])),
        new("iterations length not frame count", "has 10 entries for 12 frames", p => Craft(p, s => s.Iterations = ((long[])s.Iterations!)[..^2])),
        new("float iterations", "not integers", p => Craft(p, s => s.Iterations = ((long[])s.Iterations!).Select(v => (double)v).ToArray())),
        new("missing tumble attribute", "lacks the 'tumble' attribute", p => Craft(p, s => s.Attributes.Remove(TrajectoryFormat.Attr.Tumble))),
        new("nx attribute a string", "attribute 'nx' is a string, not an integer", p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.Nx] = "8")),
        new("negative nx", "attribute 'nx' is -8", p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.Nx] = -8)),
        new("NaN tumble", "attribute 'tumble' is NaN", p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.Tumble] = double.NaN)),
        new("density above 1", "attribute 'density' is 1.5", p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.Density] = 1.5)),
        new("zero interval", "attribute 'interval' is 0", p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.Interval] = 0)),
        new("command_line attribute a number", "attribute 'command_line' is a 4-byte FixedPoint value, not a string",
            p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.CommandLine] = 3)),
        new("unknown format version", "format_version 7", p => Craft(p, s => s.Attributes[TrajectoryFormat.Attr.FormatVersion] = 7)),
        new("neither layout", "neither a PepLab trajectory nor an original layout file", p => new H5File { ["numbers"] = new double[] { 1, 2, 3 } }.Write(p)),
    ];

    /// <summary>Writes every kind into <paramref name="folder"/> as bad-NN.h5; returns (kind, path) pairs.</summary>
    public static IReadOnlyList<(Kind Kind, string Path)> WriteAll(string folder)
    {
        var files = new List<(Kind, string)>();
        for (int i = 0; i < Kinds.Count; i++)
        {
            string path = Path.Combine(folder, $"bad-{i:00}.h5");
            Kinds[i].Write(path);
            files.Add((Kinds[i], path));
        }
        return files;
    }

    /// <summary>A valid trajectory as PepLab writes it (chunked, deflate-compressed frames).</summary>
    public static void WriteValid(string path, double tumble = 0.1, ulong seed = 1) =>
        Recorder.Record(new RunParameters
        {
            Density = (double)Particles / (Side * Side), Tumble = tumble, Nx = Side, Ny = Side,
            Speed = 1, Warmup = 0, Snapshots = Frames, Interval = Interval, Seed = seed,
        }, path);

    /// <summary>Rewrites every root attribute as h5py stores a Python value: int64, float64, variable-length UTF-8.</summary>
    public const string RewriteAttributesWithH5py = """
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r+") as f:
            for k, v in list(f.attrs.items()):
                del f.attrs[k]
                if isinstance(v, (bytes, str)):
                    f.attrs[k] = v.decode() if isinstance(v, bytes) else v
                elif isinstance(v, (np.floating, float)):
                    f.attrs[k] = float(v)
                else:
                    f.attrs[k] = int(v)
        with h5py.File(sys.argv[1], "r") as f:
            print(" ".join(f"{k}={f.attrs[k].dtype if hasattr(f.attrs[k], 'dtype') else 'str'}" for k in sorted(f.attrs)))
        """;

    /// <summary>Writes a valid trajectory at <paramref name="path"/> and rewrites its attributes with h5py; returns h5py's account of their types.</summary>
    public static string WriteWithH5pyAttributes(string path, double tumble = 0.1)
    {
        string python = ExternalTools.Python("h5py", "numpy");
        DamagedTrajectories.WriteValid(path, tumble);
        string script = Path.Combine(Path.GetDirectoryName(path)!, "rewrite.py");
        File.WriteAllText(script, RewriteAttributesWithH5py);
        var (code, output, error) = ExternalTools.Run(python, $"\"{script}\" \"{path}\"");
        Assert.True(code == 0, error);
        File.Delete(script);
        return output;
    }

    /// <summary>Writes a valid file, then rewrites its bytes with <paramref name="damage"/>.</summary>
    private static void Damage(string path, Func<byte[], byte[]> damage)
    {
        WriteValid(path);
        File.WriteAllBytes(path, damage(File.ReadAllBytes(path)));
    }

    /// <summary>Offset of the zlib stream of the frames chunk: the one that inflates to all frames' bytes.</summary>
    public static int ChunkStart(byte[] file)
    {
        int size = Frames * Side * Side;
        for (int p = 0; p + 2 < file.Length; p++)
        {
            if (file[p] != 0x78 || ((file[p] << 8) | file[p + 1]) % 31 != 0) continue;
            try
            {
                using var inflate = new ZLibStream(new MemoryStream(file, p, file.Length - p), CompressionMode.Decompress);
                var output = new byte[size + 1];
                if (inflate.ReadAtLeast(output, output.Length, throwOnEndOfStream: false) == size) return p;
            }
            catch (InvalidDataException)
            {
            }
        }
        throw new InvalidOperationException("no deflate chunk of the frames found");
    }

    /// <summary>Flips bit 43 of iteration 5 in /iterations (found as its little-endian values): 50 becomes 8796093022258.</summary>
    private static byte[] FlipIterationBit(byte[] file)
    {
        var expected = new byte[Frames * 8];
        for (int i = 0; i < Frames; i++) BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(i * 8), (long)i * Interval);
        int at = file.AsSpan().IndexOf(expected);
        if (at < 0) throw new InvalidOperationException("the iterations were not found");
        file[at + 5 * 8 + 5] ^= 0x08;
        return file;
    }

    /// <summary>Writes a file of PepLab's layout (uncompressed) after <paramref name="change"/> edits its spec.</summary>
    public static void Craft(string path, Action<Spec> change)
    {
        var spec = new Spec();
        change(spec);
        var file = new H5File { Attributes = spec.Attributes };
        if (spec.WithFrames) file[TrajectoryFormat.Frames] = new H5Dataset(spec.FramesData, fileDims: spec.FrameDims);
        if (spec.Iterations is { } iterations) file[TrajectoryFormat.Iterations] = iterations;
        file.Write(path);
    }

    /// <summary>Frames of 16 particles each at seeded random sites with random orientations.</summary>
    public static byte[] ValidFrames()
    {
        var rng = new Random(11);
        var frames = new byte[Frames * Side * Side];
        for (int f = 0; f < Frames; f++)
        {
            var sites = Enumerable.Range(0, Side * Side).OrderBy(_ => rng.Next()).Take(Particles);
            foreach (int s in sites) frames[f * Side * Side + s] = (byte)rng.Next(1, 5);
        }
        return frames;
    }

    /// <summary>The root attributes PepLab writes, with PepLab's types (int32, double, uint64, strings).</summary>
    public static Dictionary<string, object> ValidAttributes() => new()
    {
        [TrajectoryFormat.Attr.Format] = TrajectoryFormat.FormatName,
        [TrajectoryFormat.Attr.FormatVersion] = TrajectoryFormat.Version,
        [TrajectoryFormat.Attr.Density] = (double)Particles / (Side * Side),
        [TrajectoryFormat.Attr.DensityRequested] = (double)Particles / (Side * Side),
        [TrajectoryFormat.Attr.Tumble] = 0.1,
        [TrajectoryFormat.Attr.Nx] = Side,
        [TrajectoryFormat.Attr.Ny] = Side,
        [TrajectoryFormat.Attr.Particles] = Particles,
        [TrajectoryFormat.Attr.Speed] = 1,
        [TrajectoryFormat.Attr.Warmup] = 0,
        [TrajectoryFormat.Attr.Interval] = Interval,
        [TrajectoryFormat.Attr.Seed] = 1UL,
        [TrajectoryFormat.Attr.Generator] = Xoshiro256StarStar.Name,
        [TrajectoryFormat.Attr.PeplabVersion] = PepLabVersion.Current,
        [TrajectoryFormat.Attr.CommandLine] = "pep simulate --nx 8 --ny 8",
        [TrajectoryFormat.Attr.CreatedUtc] = "2025-01-31T12:00:00Z",
        [TrajectoryFormat.Attr.Host] = "node01",
    };
}
