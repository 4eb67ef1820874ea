using System.Runtime.InteropServices;
using SkiaSharp;

namespace PepLab.Report;

/// <summary>
/// An opaque RGB image held as 0xAARRGGBB pixels, row-major from the top-left corner: the pixel
/// grids figures and animation frames are drawn from, and what tests read colours back from.
/// </summary>
public sealed class Raster
{
    /// <summary>A <paramref name="width"/> x <paramref name="height"/> image filled with <paramref name="fill"/>.</summary>
    public Raster(int width, int height, uint fill = 0xFF000000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        Pixels = new uint[checked(width * height)];
        Pixels.AsSpan().Fill(fill);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pixels, row-major, 0xAARRGGBB.</summary>
    public uint[] Pixels { get; }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public uint this[int x, int y]
    {
        get => Pixels[Index(x, y)];
        set => Pixels[Index(x, y)] = value;
    }

    /// <summary>Fills the rectangle [x, x + w) x [y, y + h), clipped to the image.</summary>
    public void FillRect(int x, int y, int w, int h, uint colour)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        if (x1 <= x0) return;
        for (int yy = y0; yy < y1; yy++) Pixels.AsSpan(yy * Width + x0, x1 - x0).Fill(colour);
    }

    /// <summary>A SkiaSharp bitmap holding a copy of the pixels (0xAARRGGBB is BGRA byte order in memory).</summary>
    public SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Bgra8888, SKAlphaType.Opaque));
        MemoryMarshal.AsBytes(Pixels.AsSpan()).CopyTo(bitmap.GetPixelSpan());
        return bitmap;
    }

    /// <summary>Copies the pixels of <paramref name="bitmap"/> (any colour type) into a new raster.</summary>
    public static Raster FromBitmap(SKBitmap bitmap)
    {
        var raster = new Raster(bitmap.Width, bitmap.Height);
        using var converted = bitmap.ColorType == SKColorType.Bgra8888 ? null : bitmap.Copy(SKColorType.Bgra8888);
        var source = converted ?? bitmap;
        var bytes = MemoryMarshal.AsBytes(raster.Pixels.AsSpan());
        int rowBytes = source.Width * 4;
        var span = source.GetPixelSpan();
        for (int y = 0; y < source.Height; y++) span.Slice(y * source.RowBytes, rowBytes).CopyTo(bytes.Slice(y * rowBytes, rowBytes));
        return raster;
    }

    /// <summary>The image for a ScottPlot <c>ImageRect</c>.</summary>
    public ScottPlot.Image ToImage()
    {
        using var bitmap = ToBitmap();
        return new ScottPlot.Image(bitmap);
    }

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}x{Height} image");
        return y * Width + x;
    }
}
