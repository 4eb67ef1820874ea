using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using SkiaSharp;

namespace PepLab.Report;

/// <summary>What an animation shows and how fast.</summary>
/// <param name="Style">Site colours, as for a snapshot.</param>
/// <param name="Cell">Pixels per site (0: about 512 pixels across the lattice).</param>
/// <param name="Step">Draw every <paramref name="Step"/>-th frame of the range.</param>
/// <param name="DelayCentiseconds">Time each frame is shown, in hundredths of a second.</param>
public sealed record AnimationOptions(SnapshotStyle Style, int Cell = 0, int Step = 1, int DelayCentiseconds = 10)
{
    /// <summary>Options with every value checked (bad ones are a <see cref="PepLabInputException"/> naming the CLI option).</summary>
    public AnimationOptions Checked()
    {
        if (Cell < 0 || Cell > 64) throw new PepLabInputException("cell", $"must be 0 (automatic) or 1..64 pixels per site (got {Cell})");
        if (Style.Outline && Cell is > 0 and < LatticeRaster.MinimumOutlineCell)
            throw new PepLabInputException("cell", $"outlines need at least {LatticeRaster.MinimumOutlineCell} pixels per site (got {Cell})");
        if (Step < 1) throw new PepLabInputException("step", $"must be at least 1 (got {Step})");
        if (DelayCentiseconds < 2 || DelayCentiseconds > 10000)
            throw new PepLabInputException("fps", "must give a frame time of 0.02..100 s (0.01..50 frames per second)");
        return this;
    }
}

/// <summary>What <see cref="Animation.Write"/> wrote.</summary>
public sealed record AnimationResult(string Path, int Frames, int Width, int Height, long Bytes);

/// <summary>
/// An animated GIF of a run: every chosen frame drawn like a snapshot, under a strip that counts
/// frames and iterations. Frames are read in blocks, drawn, quantised to a fixed palette and
/// compressed one at a time, so memory stays flat however long the run.
/// </summary>
public static class Animation
{
    /// <summary>Greys from the empty-site colour to white: the anti-aliased text of the counter strip.</summary>
    private const int GreyLevels = 24;

    /// <summary>The fixed palette: every site colour, outline, cluster colours, and greys for text.</summary>
    public static IReadOnlyList<uint> Palette { get; } = BuildPalette();

    /// <summary>Height of the counter strip above a lattice image <paramref name="width"/> pixels wide.</summary>
    public static int StripHeight(int width) => Math.Clamp(width / 18, 16, 36);

    /// <summary>Pixels per site for <paramref name="options"/> on <paramref name="lattice"/>.</summary>
    public static int CellFor(Lattice lattice, AnimationOptions options) =>
        options.Cell > 0 ? options.Cell : LatticeRaster.CellSize(lattice, 512, options.Style);

    /// <summary>
    /// Pixels per site that fit an image of at most <paramref name="width"/> x <paramref name="height"/>
    /// pixels (counter strip included; null: no limit that way) on <paramref name="lattice"/>: 1..64, and
    /// at least <see cref="LatticeRaster.MinimumOutlineCell"/> when <paramref name="outline"/> is drawn.
    /// Both null gives 0 (automatic: about 512 pixels across).
    /// </summary>
    public static int CellToFit(Lattice lattice, int? width, int? height, bool outline)
    {
        if (width is null && height is null) return 0;
        int w = width ?? int.MaxValue, h = height ?? int.MaxValue;
        if (w < lattice.Ny) throw new PepLabInputException("width", $"must be at least the lattice's {lattice.Ny} columns (got {w})");
        int cell = Math.Min(w / lattice.Ny, h == int.MaxValue ? int.MaxValue : Math.Max(1, (h - StripHeight(w)) / lattice.Nx));
        cell = Math.Clamp(cell, 1, 64);
        return outline ? Math.Max(cell, LatticeRaster.MinimumOutlineCell) : cell;
    }

    /// <summary>Frames <see cref="Write"/> draws of a run of <paramref name="count"/> frames.</summary>
    public static int FrameCount(int count, AnimationOptions options, FrameRange? range = null)
    {
        var (a, b) = (range ?? FrameRange.All).Resolve(count);
        return (b - a + options.Step - 1) / options.Step;
    }

    /// <summary>
    /// Draws one animation frame: the counter strip (<paramref name="counter"/>, white on dark) above
    /// the lattice. Reuses <paramref name="into"/> when given.
    /// </summary>
    public static Raster RenderFrame(ReadOnlySpan<byte> frame, Lattice lattice, int cell, SnapshotStyle style, string counter,
        ClusterLabeller? labeller = null, Raster? into = null)
    {
        int width = lattice.Ny * cell, strip = StripHeight(width);
        var raster = into ?? new Raster(width, lattice.Nx * cell + strip);
        LatticeRaster.Render(frame, lattice, cell, style, labeller, raster, 0, strip);
        DrawText(raster, counter, strip);
        raster.FillRect(0, strip - 2, width, 2, SiteColours.Single); // separates the strip from the lattice
        return raster;
    }

    /// <summary>
    /// Writes frames <paramref name="range"/> (every <see cref="AnimationOptions.Step"/>-th) of
    /// <paramref name="source"/> to <paramref name="path"/> as an animated GIF (via a temporary file).
    /// </summary>
    public static AnimationResult Write(IFrameSource source, string path, AnimationOptions options, FrameRange? range = null,
        Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        options = options.Checked();
        var (start, end) = (range ?? FrameRange.All).Resolve(source.Count, "frames");
        var info = source.Info;
        var lattice = info.Lattice;
        int cell = CellFor(lattice, options);
        int width = lattice.Ny * cell, strip = StripHeight(width), height = lattice.Nx * cell + strip;
        if (width > ushort.MaxValue || height > ushort.MaxValue)
            throw new PepLabInputException("cell", $"{cell} pixels per site makes a {width}x{height} image, larger than a GIF allows (65535)");
        int total = (end - start + options.Step - 1) / options.Step;

        string full = FigureFile.Prepare(path);
        int written = 0;
        using (var file = AtomicFile.Create(full, "out"))
        {
            using (var gif = new GifWriter(file.Stream, width, height, Palette))
            {
                var labeller = options.Style.NeedsClusters ? new ClusterLabeller(lattice) : null;
                var raster = new Raster(width, height);
                var indices = new byte[width * height];
                var quantiser = new Quantiser(Palette);
                string parameters = $"Pₜ {Figure.Num(info.Tumble)}  ρ {Figure.Num(info.DensityRequested)}";
                int pending = 0;
                foreach (var (index, iteration, frame) in source.Frames(start, end, block: 64))
                {
                    if ((index - start) % options.Step != 0) continue;
                    written++;
                    string counter = $"iteration {iteration}   frame {index} ({written}/{total})   {parameters}";
                    RenderFrame(frame.Span, lattice, cell, options.Style, counter, labeller, raster);
                    quantiser.Map(raster.Pixels, indices);
                    gif.AddFrame(indices, options.DelayCentiseconds);
                    if (++pending == 16)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        framesDone?.Invoke(pending);
                        pending = 0;
                    }
                }
                if (pending > 0) framesDone?.Invoke(pending);
                gif.Finish();
            }
            file.CommitOrExplain("out");
        }
        return new AnimationResult(full, written, width, height, new FileInfo(full).Length);
    }

    private static uint[] BuildPalette()
    {
        var colours = new List<uint> { SiteColours.Empty, SiteColours.Up, SiteColours.Right, SiteColours.Down, SiteColours.Left,
            SiteColours.Outline, SiteColours.Single, SiteColours.Invalid };
        foreach (var c in SiteColours.ClusterCycle)
            if (!colours.Contains(c)) colours.Add(c);
        uint e = SiteColours.Empty;
        for (int i = 1; i < GreyLevels; i++)
        {
            double f = (double)i / GreyLevels;
            uint Mix(int shift) => (uint)Math.Round(((e >> shift) & 0xFF) * (1 - f) + 255 * f) << shift;
            uint grey = 0xFF000000 | Mix(16) | Mix(8) | Mix(0);
            if (!colours.Contains(grey)) colours.Add(grey);
        }
        return colours.ToArray();
    }

    private static void DrawText(Raster raster, string text, int strip)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(raster.Width, strip, SKColorType.Bgra8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(SiteColours.Empty));
            float size = strip * 0.62f;
            using var font = new SKFont(FigureFonts.Regular, size);
            float measured = font.MeasureText(text);
            float room = raster.Width - 8;
            if (measured > room) font.Size = Math.Max(6, size * room / measured);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            canvas.DrawText(text, 4, strip * 0.5f + font.Size * 0.36f, SKTextAlign.Left, font, paint);
        }
        var pixels = bitmap.GetPixelSpan();
        var target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(raster.Pixels.AsSpan(0, raster.Width * strip));
        for (int y = 0; y < strip; y++) pixels.Slice(y * bitmap.RowBytes, raster.Width * 4).CopyTo(target.Slice(y * raster.Width * 4));
    }

    /// <summary>Maps colours to the nearest palette entry (exact colours directly), caching every colour seen.</summary>
    internal sealed class Quantiser(IReadOnlyList<uint> palette)
    {
        private readonly Dictionary<uint, byte> _cache = palette.Select((c, i) => (c, i)).GroupBy(p => p.c).ToDictionary(g => g.Key, g => (byte)g.First().i);

        public void Map(ReadOnlySpan<uint> pixels, Span<byte> indices)
        {
            uint last = pixels[0] ^ 1;
            byte lastIndex = 0;
            for (int i = 0; i < pixels.Length; i++)
            {
                uint p = pixels[i] | 0xFF000000;
                if (p != last)
                {
                    if (!_cache.TryGetValue(p, out lastIndex)) _cache[p] = lastIndex = Nearest(p);
                    last = p;
                }
                indices[i] = lastIndex;
            }
        }

        private byte Nearest(uint colour)
        {
            int best = 0;
            long bestDistance = long.MaxValue;
            for (int i = 0; i < palette.Count; i++)
            {
                long dr = (int)((colour >> 16) & 0xFF) - (int)((palette[i] >> 16) & 0xFF);
                long dg = (int)((colour >> 8) & 0xFF) - (int)((palette[i] >> 8) & 0xFF);
                long db = (int)(colour & 0xFF) - (int)(palette[i] & 0xFF);
                long d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = i;
                }
            }
            return (byte)best;
        }
    }
}
