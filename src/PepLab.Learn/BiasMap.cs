using MathNet.Numerics.LinearAlgebra;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>
/// A monotone piecewise-linear map from the network's output (in target space, ln P_t for the
/// default model) onto the truth, fitted after training on the training frames read as in prediction. A network
/// trained on a few P_t values leans each of them toward the middle of the range by a few
/// percent; per frame that is small beside the frame's noise, but it does not average out when
/// all frames of a run are pooled into one estimate, so per run it dominates the error. The map
/// removes that lean: its knots sit at the mean raw output of each true value, and their heights
/// are solved so that the mean of the mapped outputs of each group equals its true value exactly
/// (the map bends at the knots, so mapping the group's mean would leave a small bias of its own).
/// Between knots the map is linear; beyond the outer knots it shifts by the outer knot's offset
/// (slope 1). A gaussian head's standard deviation is multiplied by the map's local slope.
/// </summary>
public sealed record BiasMap
{
    /// <summary>Knot positions: mean raw outputs of the groups, strictly increasing.</summary>
    public required IReadOnlyList<double> Raw { get; init; }
    /// <summary>Knot heights: what each knot maps to (target space).</summary>
    public required IReadOnlyList<double> Mapped { get; init; }
    /// <summary>Validation frames the map was fitted on.</summary>
    public required int Frames { get; init; }

    /// <summary>At most this many knots: with more distinct true values, they are pooled into this many groups of neighbouring values.</summary>
    public const int MaxKnots = 24;

    /// <summary>Fewest frames a group needs to place a knot.</summary>
    public const int MinGroupFrames = 20;

    /// <summary>The mapped value of raw output <paramref name="x"/> and the map's slope there.</summary>
    public (double Value, double Slope) Apply(double x)
    {
        int n = Raw.Count;
        if (x <= Raw[0]) return (x + Mapped[0] - Raw[0], 1);
        if (x >= Raw[n - 1]) return (x + Mapped[n - 1] - Raw[n - 1], 1);
        int hi = 1;
        while (Raw[hi] < x) hi++;
        double slope = (Mapped[hi] - Mapped[hi - 1]) / (Raw[hi] - Raw[hi - 1]);
        return (Mapped[hi - 1] + slope * (x - Raw[hi - 1]), slope);
    }

    /// <summary>Checks a map read from a file; <paramref name="subject"/> names the file in errors.</summary>
    public BiasMap Validate(string subject)
    {
        if (Raw.Count == 0 || Raw.Count != Mapped.Count)
            throw new PepLabInputException(subject, $"has a bias calibration with {Raw.Count} knot positions and {Mapped.Count} heights (need as many, at least one)");
        for (int i = 0; i < Raw.Count; i++)
        {
            if (!double.IsFinite(Raw[i]) || !double.IsFinite(Mapped[i]))
                throw new PepLabInputException(subject, "has a bias calibration knot that is not a finite number");
            if (i > 0 && !(Raw[i] > Raw[i - 1] && Mapped[i] > Mapped[i - 1]))
                throw new PepLabInputException(subject, "has bias calibration knots that do not increase (the map must be monotone)");
        }
        return this;
    }

    /// <summary>
    /// Fits the map to validation predictions in target space: <paramref name="raw"/> the network's
    /// outputs, <paramref name="truth"/> the true values. Frames are grouped by true value
    /// (neighbouring values pooled when there are more than <see cref="MaxKnots"/>); neighbouring
    /// groups whose mean outputs do not increase are merged, so the map stays monotone. Null when no
    /// group has <see cref="MinGroupFrames"/> frames.
    /// </summary>
    public static BiasMap? Fit(IReadOnlyList<double> raw, IReadOnlyList<double> truth)
    {
        if (raw.Count != truth.Count) throw new ArgumentException("raw and truth differ in length");
        var groups = Groups(raw, truth);
        if (groups.Count == 0) return null;
        var knots = groups.Select(g => g.Members.Average(i => raw[i])).ToArray();
        // Heights h solve, for each group g: mean over its frames of map(raw_i; h) = mean truth of g.
        // The map is linear in h (hat functions inside, a shift outside), so this is a square system.
        int k = groups.Count;
        var a = Matrix<double>.Build.Dense(k, k);
        var b = Vector<double>.Build.Dense(k);
        for (int g = 0; g < k; g++)
        {
            var members = groups[g].Members;
            double w = 1.0 / members.Count;
            foreach (int i in members)
            {
                var (lo, wLo, hi, wHi, offset) = Weights(knots, raw[i]);
                a[g, lo] += w * wLo;
                if (wHi != 0) a[g, hi] += w * wHi;
                b[g] -= w * offset;
                b[g] += w * truth[i];
            }
        }
        var heights = a.Solve(b).ToArray();
        bool monotone = heights.All(double.IsFinite);
        for (int i = 1; i < k && monotone; i++) monotone = heights[i] > heights[i - 1];
        if (!monotone)
        {
            // Knots closer together than the outputs' spread (many true values pooled) make the exact
            // solution swing; map each group's mean output onto its mean truth instead, which increases.
            heights = groups.Select(g => g.Members.Average(i => truth[i])).ToArray();
        }
        return new BiasMap { Raw = knots, Mapped = heights, Frames = groups.Sum(g => g.Members.Count) };
    }

    /// <summary>Raw output <paramref name="x"/> as a combination of knot heights: map(x) = wLo h[lo] + wHi h[hi] + offset.</summary>
    private static (int Lo, double WLo, int Hi, double WHi, double Offset) Weights(double[] knots, double x)
    {
        int n = knots.Length;
        if (x <= knots[0]) return (0, 1, 0, 0, x - knots[0]);
        if (x >= knots[n - 1]) return (n - 1, 1, n - 1, 0, x - knots[n - 1]);
        int hi = 1;
        while (knots[hi] < x) hi++;
        double t = (x - knots[hi - 1]) / (knots[hi] - knots[hi - 1]);
        return (hi - 1, 1 - t, hi, t, 0);
    }

    private sealed record Group(List<int> Members, double MeanRaw);

    /// <summary>Frames grouped by true value, groups ordered by it, merged until their mean outputs increase.</summary>
    private static List<Group> Groups(IReadOnlyList<double> raw, IReadOnlyList<double> truth)
    {
        var finite = Enumerable.Range(0, raw.Count).Where(i => double.IsFinite(raw[i]) && double.IsFinite(truth[i])).ToList();
        var byValue = finite.GroupBy(i => truth[i]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        if (byValue.Count > MaxKnots)
        {
            // Pool neighbouring true values into MaxKnots groups of about equal frame counts.
            var pooled = new List<List<int>>();
            int total = finite.Count, done = 0;
            var current = new List<int>();
            foreach (var g in byValue)
            {
                current.AddRange(g);
                done += g.Count;
                if (done >= (long)total * (pooled.Count + 1) / MaxKnots)
                {
                    pooled.Add(current);
                    current = [];
                }
            }
            if (current.Count > 0) pooled.Add(current);
            byValue = pooled;
        }
        var groups = byValue.Where(g => g.Count >= MinGroupFrames).Select(g => new Group(g, g.Average(i => raw[i]))).ToList();
        // Pool adjacent violators: a group whose mean output is not above the previous one's joins it.
        var merged = new List<Group>();
        foreach (var g in groups)
        {
            var cur = g;
            while (merged.Count > 0 && !(cur.MeanRaw > merged[^1].MeanRaw))
            {
                var prev = merged[^1];
                merged.RemoveAt(merged.Count - 1);
                var members = prev.Members.Concat(cur.Members).ToList();
                cur = new Group(members, members.Average(i => raw[i]));
            }
            merged.Add(cur);
        }
        return merged;
    }
}
