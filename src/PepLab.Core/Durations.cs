using System.Globalization;

namespace PepLab.Core;

/// <summary>Durations and estimates as people read them.</summary>
public static class Durations
{
    /// <summary>"45 s", "12 min", "3 h 05 min", "2 d 4 h"; "unknown" for NaN or infinity.</summary>
    public static string Describe(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "unknown";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        string I(double x) => ((long)x).ToString(CultureInfo.InvariantCulture);
        if (t.TotalSeconds < 90) return $"{I(t.TotalSeconds)} s";
        if (t.TotalMinutes < 90) return $"{I(Math.Round(t.TotalMinutes))} min";
        if (t.TotalHours < 48) return $"{I(t.TotalHours)} h {t.Minutes:00} min";
        return $"{I(t.TotalDays)} d {t.Hours} h";
    }

    /// <summary>
    /// "00:01:10", "27:03:00" (hours do not wrap at a day), as progress lines give an ETA;
    /// "--:--:--" for NaN, infinity or a negative value (not yet known).
    /// </summary>
    public static string Clock(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "--:--:--";
        long s = (long)Math.Round(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{s / 3600:00}:{s / 60 % 60:00}:{s % 60:00}");
    }

}
