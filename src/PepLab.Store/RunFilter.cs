using System.Globalization;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// A selection of numbers (densities, P_t or replicas): a comma-separated list of values and min:max
/// ranges, mixed at will ("0.15,0.3", "0.05:0.5", "0.0156,0.3:0.4"). A value picks the numbers within 1%
/// of it (so 0.0337 picks the grid's 0.0337519, and replica 1 picks 1 only); a range includes its ends.
/// </summary>
public sealed class ValueFilter
{
    private readonly List<double> _values = [];
    private readonly List<(double Min, double Max)> _ranges = [];

    public string Text { get; }

    private ValueFilter(string text) => Text = text;

    /// <summary>Parses "0.15,0.3" or "0.05:0.5" or a mix; values match within 1% (so 0.0156 selects 0.015625).</summary>
    public static ValueFilter Parse(string text, string subject)
    {
        var f = new ValueFilter(text.Trim());
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0) throw new PepLabInputException(subject, $"empty value in \"{text}\"");
            var parts = raw.Split(':');
            if (parts.Length == 1) f._values.Add(Number(parts[0], subject));
            else if (parts.Length == 2)
            {
                double lo = Number(parts[0], subject), hi = Number(parts[1], subject);
                if (lo > hi) throw new PepLabInputException(subject, $"range {raw} has min > max");
                f._ranges.Add((lo, hi));
            }
            else throw new PepLabInputException(subject, $"'{raw}' is neither a value nor a min:max range");
        }
        return f;
    }

    public bool Matches(double x) =>
        _values.Any(v => Math.Abs(x - v) <= 0.01 * Math.Max(Math.Abs(v), 1e-12))
        || _ranges.Any(r => x >= r.Min * (1 - 1e-9) && x <= r.Max * (1 + 1e-9));

    private static double Number(string s, string subject)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new PepLabInputException(subject, $"'{s}' is not a number");
        return v;
    }
}

/// <summary>
/// PepLab's one run selector: which runs to keep by density (the requested one), P_t and replica (read
/// from a <see cref="RunName"/>; a file not named by <c>pep sample</c> has none and is not kept when
/// replicas are asked for). Null parts keep every run.
/// </summary>
public sealed record RunFilter(ValueFilter? Densities = null, ValueFilter? Tumbles = null, ValueFilter? Replicas = null)
{
    /// <summary>True when nothing is filtered.</summary>
    public bool IsAll => Densities is null && Tumbles is null && Replicas is null;

    /// <summary>True when a run of these parameters is kept.</summary>
    public bool Matches(double density, double tumble, int? replica) =>
        (Densities is null || Densities.Matches(density))
        && (Tumbles is null || Tumbles.Matches(tumble))
        && (Replicas is null || replica is int k && Replicas.Matches(k));

    /// <summary>
    /// The files of <paramref name="files"/> whose runs are kept, in order. Each file's metadata is read
    /// only when something is filtered (original-layout files open slowly). Nothing kept is a
    /// <see cref="PepLabInputException"/>.
    /// </summary>
    public IReadOnlyList<string> Select(IReadOnlyList<string> files)
    {
        if (IsAll) return files;
        var kept = new List<string>();
        foreach (var file in files)
        {
            using var source = FrameSources.Open(file);
            var info = source.Info;
            if (Matches(info.DensityRequested, info.Tumble, RunName.ReplicaOf(file))) kept.Add(file);
        }
        if (kept.Count == 0)
            throw new PepLabInputException(Tumbles is not null ? "tumbles" : Densities is not null ? "densities" : "replicas",
                $"no run of the {files.Count} given matches {this}");
        return kept;
    }

    /// <summary>The filters as options: "--densities 0.1 --tumbles 0.01:0.05".</summary>
    public override string ToString() => string.Join(' ', new[]
    {
        Densities is null ? null : $"--densities {Densities.Text}",
        Tumbles is null ? null : $"--tumbles {Tumbles.Text}",
        Replicas is null ? null : $"--replicas {Replicas.Text}",
    }.Where(x => x is not null));
}
