using PepLab.Core;
using ScottPlot;

namespace PepLab.Report;

/// <summary>
/// A figure: a ScottPlot <see cref="ScottPlot.Plot"/> styled the PepLab way (embedded font, title,
/// labelled axes) and the size it is meant to be saved at. Builders return a subclass that also
/// exposes the numbers that were drawn, so they can be checked without reading pixels.
/// </summary>
public abstract class Figure
{
    /// <summary>Title font size in pixels (at scale 1).</summary>
    public const float TitleSize = 17;
    /// <summary>Axis label font size.</summary>
    public const float LabelSize = 15;
    /// <summary>Tick label font size.</summary>
    public const float TickSize = 12;
    /// <summary>Legend font size.</summary>
    public const float LegendSize = 12;

    protected Figure(Plot plot, int width, int height)
    {
        Plot = plot;
        DefaultWidth = width;
        DefaultHeight = height;
    }

    /// <summary>The plot (add to it or restyle it before saving if needed).</summary>
    public Plot Plot { get; }

    /// <summary>The width in pixels the figure is laid out for.</summary>
    public int DefaultWidth { get; }

    /// <summary>The height in pixels the figure is laid out for.</summary>
    public int DefaultHeight { get; }

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] ToPng(int? width = null, int? height = null)
    {
        var (w, h) = CheckSize(width ?? DefaultWidth, height ?? DefaultHeight);
        return Plot.GetImageBytes(w, h, ImageFormat.Png);
    }

    /// <summary>
    /// Writes the figure as a PNG file (under a temporary name, renamed when complete, so no
    /// half-written file is ever left at <paramref name="path"/>).
    /// </summary>
    public void SavePng(string path, int? width = null, int? height = null) =>
        FigureFile.WriteAtomically(path, ToPng(width, height));

    /// <summary>A new plot with the embedded font, white background and the common text sizes.</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        FigureFonts.Register();
        var plot = new Plot();
        plot.Font.Set(FigureFonts.Family);
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.TickLabelStyle.FontSize = TickSize;
            axis.TickLabelStyle.FontName = FigureFonts.Family;
            axis.Label.FontName = FigureFonts.Family;
        }
        plot.Axes.Title.Label.FontName = FigureFonts.Family;
        plot.Axes.Title.Label.Bold = true;
        plot.Legend.FontSize = LegendSize;
        plot.Legend.FontName = FigureFonts.Family;
        plot.Legend.SetBestFontOnEachRender = false;
        return plot;
    }

    /// <summary>Checks a requested pixel size (both sides 16..16384).</summary>
    public static (int Width, int Height) CheckSize(int width, int height)
    {
        if (width < 16 || width > 16384) throw new PepLabInputException("width", $"must be 16..16384 pixels (got {width})");
        if (height < 16 || height > 16384) throw new PepLabInputException("height", $"must be 16..16384 pixels (got {height})");
        return (width, height);
    }

    /// <summary>A short number for labels: 0.0156, 0.15, 1200, 3.4e-05.</summary>
    public static string Num(double x)
    {
        if (double.IsNaN(x)) return "NaN";
        if (x == 0) return "0";
        double a = Math.Abs(x);
        if (a >= 1e-3 && a < 1e6) return x.ToString(a >= 100 ? "0.#" : "0.####", System.Globalization.CultureInfo.InvariantCulture);
        return x.ToString("0.##e+0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A number to <paramref name="digits"/> significant digits: 147, 66.2, 0.0337, 1.2e+04.</summary>
    public static string Sig(double x, int digits = 3)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) return x.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (x == 0) return "0";
        double a = Math.Abs(x);
        int exponent = (int)Math.Floor(Math.Log10(a));
        if (exponent >= 6 || exponent < -4) return x.ToString($"0.{new string('#', Math.Max(0, digits - 1))}e+0", System.Globalization.CultureInfo.InvariantCulture);
        double rounded = Math.Round(x, Math.Max(0, digits - 1 - exponent));
        return rounded.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The run's parameters as a short label: "Pₜ = 0.0337, ρ = 0.15".</summary>
    public static string RunLabel(double tumble, double density) => $"Pₜ = {Num(tumble)}, ρ = {Num(density)}";
}

/// <summary>Writing figure files without ever leaving a half-written one.</summary>
public static class FigureFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through <see cref="AtomicFile"/>.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes, string subject = "out")
    {
        Prepare(path, subject);
        AtomicFile.WriteAllBytes(path, bytes, subject);
    }

    /// <summary>The full path of an output file, its folder created; a folder at the path is refused.</summary>
    public static string Prepare(string path, string subject = "out")
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new PepLabInputException(subject, $"'{path}' is a folder, not a file");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PepLabInputException(subject, $"cannot create the folder of '{path}': {e.Message}");
        }
        return full;
    }
}
