using System.Globalization;
using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>
/// A range of frame indices written <c>a:b</c> like a Python slice: from frame a (inclusive) to
/// frame b (exclusive); either end may be left out (<c>500:</c>, <c>:100</c>) and a negative index
/// counts from the end (<c>-200:</c> = the last 200 frames). A single number <c>a</c> is the one frame a.
/// </summary>
public readonly record struct FrameRange(int? Start, int? End)
{
    /// <summary>All frames.</summary>
    public static FrameRange All => new(null, null);

    /// <summary>Parses <c>a:b</c>, <c>a:</c>, <c>:b</c> or <c>a</c>; a malformed text is a <see cref="PepLabInputException"/> on <paramref name="subject"/>.</summary>
    public static FrameRange Parse(string text, string subject = "frames")
    {
        string t = text.Trim();
        int colon = t.IndexOf(':');
        if (colon < 0)
        {
            int a = ParseIndex(t, text, subject) ?? throw Bad(text, subject);
            return new FrameRange(a, a == -1 ? null : a + 1);
        }
        if (t.IndexOf(':', colon + 1) >= 0) throw Bad(text, subject);
        return new FrameRange(ParseIndex(t[..colon], text, subject), ParseIndex(t[(colon + 1)..], text, subject));
    }

    /// <summary>
    /// The concrete [start, end) for a run of <paramref name="count"/> frames. A range that reaches
    /// outside the run, or holds no frame, is a <see cref="PepLabInputException"/> on <paramref name="subject"/>.
    /// </summary>
    public (int Start, int End) Resolve(int count, string subject = "frames")
    {
        int start = Start is { } s ? (s < 0 ? s + count : s) : 0;
        int end = End is { } e ? (e < 0 ? e + count : e) : count;
        if (start < 0 || start >= count || end > count || end < 0)
            throw new PepLabInputException(subject, $"{this} is outside the run's frames 0:{count}");
        if (end <= start)
            throw new PepLabInputException(subject, $"{this} selects no frame of the run's 0:{count}");
        return (start, end);
    }

    public override string ToString() => $"{Start?.ToString(CultureInfo.InvariantCulture)}:{End?.ToString(CultureInfo.InvariantCulture)}";

    private static int? ParseIndex(string part, string text, string subject)
    {
        part = part.Trim();
        if (part.Length == 0) return null;
        return int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : throw Bad(text, subject);
    }

    private static PepLabInputException Bad(string text, string subject) =>
        new(subject, $"'{text}' is not a frame range (write a:b, a:, :b or a; b is exclusive, negative counts from the end)");
}
