using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace PepLab.Learn;

/// <summary>
/// The first layer's kernels as images (as the seed's notebook looked at them): one PNG per filter
/// and input channel, and one overview grid (rows: filters, columns: channels). Weights map to a
/// blue (negative) - white (0) - red (positive) scale shared by all kernels.
/// </summary>
public static class KernelImages
{
    /// <summary>Writes the images and returns their paths. <paramref name="weights"/> is [filter, channel, row, column].</summary>
    public static IReadOnlyList<string> Write(string folder, float[,,,] weights, IReadOnlyList<string> channelNames, int cell = 24)
    {
        Directory.CreateDirectory(folder);
        int filters = weights.GetLength(0), channels = weights.GetLength(1), kh = weights.GetLength(2), kw = weights.GetLength(3);
        float scale = 0;
        foreach (var w in weights) scale = Math.Max(scale, Math.Abs(w));
        if (scale == 0) scale = 1;
        var paths = new List<string>();
        for (int f = 0; f < filters; f++)
            for (int c = 0; c < channels; c++)
            {
                var image = new Rgb(kw * cell, kh * cell);
                image.Fill(255, 255, 255);
                DrawKernel(image, weights, f, c, 0, 0, cell, scale);
                string path = Path.Combine(folder, $"filter{f}_{Safe(channelNames[c])}.png");
                image.Save(path);
                paths.Add(path);
            }
        // Overview: one row per filter, one column per channel, 4-pixel grey gutters.
        const int gutter = 4;
        int width = channels * (kw * cell + gutter) + gutter, height = filters * (kh * cell + gutter) + gutter;
        var grid = new Rgb(width, height);
        grid.Fill(160, 160, 160);
        for (int f = 0; f < filters; f++)
            for (int c = 0; c < channels; c++)
                DrawKernel(grid, weights, f, c, gutter + c * (kw * cell + gutter), gutter + f * (kh * cell + gutter), cell, scale);
        string overview = Path.Combine(folder, "filters.png");
        grid.Save(overview);
        paths.Add(overview);
        return paths;
    }

    /// <summary>Colour of a weight on the shared scale: blue for negative, white for 0, red for positive.</summary>
    public static (byte R, byte G, byte B) Colour(float w, float scale)
    {
        float t = Math.Clamp(w / scale, -1f, 1f);
        byte fade = (byte)Math.Round(255 * (1 - Math.Abs(t)));
        return t >= 0 ? ((byte)255, fade, fade) : (fade, fade, (byte)255);
    }

    private static void DrawKernel(Rgb image, float[,,,] weights, int f, int c, int x0, int y0, int cell, float scale)
    {
        for (int i = 0; i < weights.GetLength(2); i++)
            for (int j = 0; j < weights.GetLength(3); j++)
            {
                var (r, g, b) = Colour(weights[f, c, i, j], scale);
                for (int y = 0; y < cell; y++)
                    for (int x = 0; x < cell; x++)
                        image.Set(x0 + j * cell + x, y0 + i * cell + y, r, g, b);
            }
    }

    private static string Safe(string s) => new(s.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray());

    /// <summary>A minimal 8-bit RGB image with a PNG writer (zlib stream, CRC-32 per chunk).</summary>
    public sealed class Rgb(int width, int height)
    {
        private readonly byte[] _pixels = new byte[width * height * 3];

        public int Width { get; } = width;
        public int Height { get; } = height;

        public void Set(int x, int y, byte r, byte g, byte b)
        {
            int k = (y * Width + x) * 3;
            _pixels[k] = r;
            _pixels[k + 1] = g;
            _pixels[k + 2] = b;
        }

        public (byte R, byte G, byte B) Get(int x, int y)
        {
            int k = (y * Width + x) * 3;
            return (_pixels[k], _pixels[k + 1], _pixels[k + 2]);
        }

        public void Fill(byte r, byte g, byte b)
        {
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    Set(x, y, r, g, b);
        }

        public void Save(string path)
        {
            using var raw = new MemoryStream();
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < Height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(_pixels, y * Width * 3, Width * 3);
                }
            }
            string temporary = path + ".partial";
            using (var file = File.Create(temporary))
            {
                file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
                var header = new byte[13];
                BinaryPrimitives.WriteInt32BigEndian(header, Width);
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
                header[8] = 8; // bit depth
                header[9] = 2; // colour type: RGB
                Chunk(file, "IHDR", header);
                Chunk(file, "IDAT", raw.ToArray());
                Chunk(file, "IEND", []);
            }
            File.Move(temporary, path, overwrite: true);
        }

        private static void Chunk(Stream s, string type, byte[] data)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
            s.Write(length);
            var typeBytes = Encoding.ASCII.GetBytes(type);
            s.Write(typeBytes);
            s.Write(data);
            uint crc = Crc32(typeBytes, 0xFFFFFFFF);
            crc = Crc32(data, crc) ^ 0xFFFFFFFF;
            Span<byte> c = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(c, crc);
            s.Write(c);
        }

        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            uint c = (uint)n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        /// <summary>CRC-32 (PNG's) continued from <paramref name="crc"/>.</summary>
        public static uint Crc32(ReadOnlySpan<byte> data, uint crc)
        {
            foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }
    }
}
