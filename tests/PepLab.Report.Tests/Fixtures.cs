using PepLab.Core;
using PepLab.Store;
using PepLab.Tests;
using SkiaSharp;

namespace PepLab.Report.Tests;

/// <summary>Hand-drawn frames, tiny trajectories and image decoding for the figure tests.</summary>
internal static class Fixtures
{

    /// <summary>A frame filled with one code.</summary>
    public static byte[] Uniform(Lattice lattice, byte code) => Enumerable.Repeat(code, lattice.Sites).ToArray();

    /// <summary>
    /// Writes a PepLab trajectory of <paramref name="frames"/> on <paramref name="lattice"/> (iteration = 10 x index)
    /// with the given parameters; returns its path.
    /// </summary>
    public static string WriteRun(string path, Lattice lattice, IReadOnlyList<byte[]> frames, double tumble = 0.25, double density = 0.25, ulong seed = 1)
    {
        int particles = frames[0].Count(b => b != 0);
        var p = new RunParameters { Nx = lattice.Nx, Ny = lattice.Ny, Density = density, Tumble = tumble, Snapshots = frames.Count, Interval = 10, Warmup = 0, Seed = seed };
        var info = TrajectoryInfo.FromRun(p, particles);
        using var w = TrajectoryWriter.Create(path, info);
        for (int i = 0; i < frames.Count; i++) w.Write(i, 10L * i, frames[i]);
        w.Complete();
        return path;
    }

    /// <summary>Random frames: each site a particle with probability <paramref name="density"/>, random orientation.</summary>
    public static List<byte[]> RandomFrames(Lattice lattice, int count, double density, int seed)
    {
        var rng = new Random(seed);
        var frames = new List<byte[]>();
        for (int t = 0; t < count; t++)
        {
            var f = new byte[lattice.Sites];
            for (int s = 0; s < f.Length; s++) f[s] = rng.NextDouble() < density ? (byte)rng.Next(1, 5) : (byte)0;
            frames.Add(f);
        }
        return frames;
    }

    /// <summary>Decodes a PNG file, checking the signature first.</summary>
    public static SKBitmap DecodePng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8 && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), $"{path} is not a PNG");
        var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return bitmap;
    }

    /// <summary>Width and height read from a PNG's IHDR chunk (independently of any decoder).</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(b, 12, 4));
        int w = (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
        int h = (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23];
        return (w, h);
    }

    /// <summary>The colour of a decoded pixel as 0xAARRGGBB.</summary>
    public static uint Argb(SKBitmap bitmap, int x, int y) => (uint)bitmap.GetPixel(x, y);

    /// <summary>Frame <paramref name="index"/> of a GIF, decoded by SkiaSharp's own GIF decoder.</summary>
    public static Raster DecodeGifFrame(SKCodec codec, int index)
    {
        using var bitmap = new SKBitmap(codec.Info.WithColorType(SKColorType.Bgra8888).WithAlphaType(SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels(), new SKCodecOptions(index));
        Assert.Equal(SKCodecResult.Success, result);
        return Raster.FromBitmap(bitmap);
    }

    public static string Hex(uint c) => $"#{c:X8}";
}
