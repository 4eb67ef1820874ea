using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace PepLab.Report;

/// <summary>
/// The typeface of every figure: DejaVu Sans, embedded in this assembly, so that text renders the
/// same on any machine, including a bare Linux install without fontconfig or any system font (where
/// SkiaSharp's font manager finds nothing and labels would silently vanish).
/// </summary>
public static class FigureFonts
{
    /// <summary>The family name figures use.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly Lazy<SKTypeface> RegularFace = new(() => Load("PepLab.Report.Fonts.DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> BoldFace = new(() => Load("PepLab.Report.Fonts.DejaVuSans-Bold.ttf"));
    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>The embedded regular typeface.</summary>
    public static SKTypeface Regular => RegularFace.Value;

    /// <summary>The embedded bold typeface.</summary>
    public static SKTypeface Bold => BoldFace.Value;

    /// <summary>
    /// Puts the embedded family first among ScottPlot's font resolvers and makes it the default
    /// (idempotent, thread-safe). Every figure builder calls this.
    /// </summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Insert(0, new EmbeddedResolver());
            Fonts.Default = Family;
            Fonts.Sans = Family;
            _registered = true;
        }
    }

    private static SKTypeface Load(string resource)
    {
        using var stream = typeof(FigureFonts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded font {resource} is missing from {typeof(FigureFonts).Assembly.GetName().Name}");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"embedded font {resource} cannot be read by SkiaSharp");
    }

    private sealed class EmbeddedResolver : IFontResolver
    {
        private static bool Matches(string name) => string.Equals(name, Family, StringComparison.OrdinalIgnoreCase);

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            Matches(fontName) ? (bold ? Bold : Regular) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            Matches(fontName) ? ((int)weight >= (int)FontWeight.SemiBold ? Bold : Regular) : null;
    }
}
