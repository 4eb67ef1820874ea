using System.Globalization;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>
/// A concrete span of one run's frames: start .. start + count - 1 (count may be 0). Not to be confused with
/// PepLab.Analyse.FrameRange, the user's <c>a:b</c> slice that is resolved against a run's length.
/// </summary>
public readonly record struct FrameSpan(int Start, int Count)
{
    public int End => Start + Count;
}

/// <summary>Some frames of one run, as sorted, non-overlapping ranges.</summary>
public sealed record RunSelection(RunEntry Run, IReadOnlyList<FrameSpan> Ranges)
{
    public long Frames => Ranges.Sum(r => (long)r.Count);
}

/// <summary>A selection of frames from runs: what one loader pass visits.</summary>
public sealed class FrameSet
{
    public FrameSet(IReadOnlyList<RunSelection> runs) => Runs = runs.Where(r => r.Frames > 0).ToList();

    public IReadOnlyList<RunSelection> Runs { get; }
    public long TotalFrames => Runs.Sum(r => r.Frames);
    public bool IsEmpty => TotalFrames == 0;
    public IReadOnlyList<double> Tumbles => Runs.Select(r => r.Run.Group.Tumble).Distinct().Order().ToList();

    /// <summary>
    /// At most about <paramref name="maxFrames"/> frames spread evenly over every run and range:
    /// the first <paramref name="block"/> frames of each window of the ranges (blocks keep reads
    /// on whole file chunks). The whole set when it is no larger.
    /// </summary>
    public FrameSet Sample(long maxFrames, int block = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        if (TotalFrames <= maxFrames) return this;
        double window = (double)block * TotalFrames / maxFrames;
        return new(Runs.Select(r =>
        {
            var ranges = new List<FrameSpan>();
            foreach (var x in r.Ranges)
                for (double start = x.Start; start < x.End; start += window)
                {
                    int first = (int)start;
                    ranges.Add(new FrameSpan(first, Math.Min(block, x.End - first)));
                }
            return r with { Ranges = ranges };
        }).ToList());
    }

    /// <summary>Keeps only frames at or after each run's first kept frame (e.g. a steady-state start).</summary>
    public FrameSet From(Func<RunEntry, int> firstFrame) =>
        new(Runs.Select(r =>
        {
            int t0 = firstFrame(r.Run);
            var ranges = r.Ranges.Select(x => x.End <= t0 ? new FrameSpan(x.Start, 0)
                    : x.Start >= t0 ? x : new FrameSpan(t0, x.End - t0))
                .Where(x => x.Count > 0).ToList();
            return r with { Ranges = ranges };
        }).ToList());
}

/// <summary>How training and validation frames are separated.</summary>
public enum SplitKind
{
    /// <summary>Whole runs held out: replicas of a (density, P_t) never seen in training. A group with one run falls back to time blocks.</summary>
    Trajectory,
    /// <summary>Within each run, the tail of each time block is validation, with a gap of frames dropped on either side.</summary>
    Time,
    /// <summary>Random frames (the seed's): consecutive, near-identical snapshots land on both sides, so validation is optimistic.</summary>
    Random,
}

/// <summary>Split settings.</summary>
public sealed record SplitOptions
{
    public SplitKind Kind { get; init; } = SplitKind.Trajectory;
    /// <summary>Share of the data for validation.</summary>
    public double Fraction { get; init; } = 0.2;
    /// <summary>Frames dropped between training and validation blocks (time splits).</summary>
    public int Gap { get; init; } = 50;
    /// <summary>Number of time blocks per run (time splits).</summary>
    public int Blocks { get; init; } = 1;
    public ulong Seed { get; init; } = 1;
    /// <summary>Trajectory split only: hold out exactly the runs of this replica (file names ending in <c>_r{N}.h5</c>) instead of a random share.</summary>
    public int? HoldOutReplica { get; init; }
    /// <summary>Runs of these replicas are neither trained nor validated on: an experiment scores the model on them afterwards.</summary>
    public IReadOnlyList<int> SetAside { get; init; } = [];

    public SplitOptions Validate()
    {
        if (SetAside.Any(r => r < 0)) throw new PepLabInputException("holdOutReplica", $"must be at least 0 (got {SetAside.Min()})");
        if (HoldOutReplica is { } h && SetAside.Contains(h))
            throw new PepLabInputException("holdOutReplica", $"replica {h} is set aside for scoring and cannot be validated on");
        if (HoldOutReplica is < 0) throw new PepLabInputException("holdOutReplica", $"must be at least 0 (got {HoldOutReplica})");
        if (HoldOutReplica is not null && Kind != SplitKind.Trajectory)
            throw new PepLabInputException("holdOutReplica", "needs --split trajectory");
        if (!(Fraction > 0 && Fraction < 1)) throw new PepLabInputException("fraction", $"must be in (0, 1) (got {Fraction.ToString(CultureInfo.InvariantCulture)})");
        if (Gap < 0) throw new PepLabInputException("gap", $"must be at least 0 (got {Gap})");
        if (Blocks < 1) throw new PepLabInputException("blocks", $"must be at least 1 (got {Blocks})");
        return this;
    }

    public static SplitKind ParseKind(string s) => s.Trim().ToLowerInvariant() switch
    {
        "trajectory" or "run" or "runs" => SplitKind.Trajectory,
        "time" => SplitKind.Time,
        "random" => SplitKind.Random,
        _ => throw new PepLabInputException("split", $"unknown split '{s}' (trajectory, time, random)"),
    };
}

/// <summary>The result of a split: the two frame sets, what was done, and warnings for the user.</summary>
public sealed record SplitResult(FrameSet Train, FrameSet Validation, string Description, IReadOnlyList<string> Warnings)
{
    /// <summary>Run ids held out whole for validation.</summary>
    public IReadOnlyList<int> HeldOutRuns { get; init; } = [];
}

/// <summary>Splits a data set into training and validation frames.</summary>
public static class Splitter
{
    public const string LeakWarning =
        "random-snapshot split: consecutive snapshots of one trajectory are nearly identical and land in both training and validation, so validation scores are optimistic (use --split trajectory or time for an honest estimate)";

    public static SplitResult Split(TrajectorySet data, SplitOptions options)
    {
        options.Validate();
        var rng = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))));
        var train = new List<RunSelection>();
        var val = new List<RunSelection>();
        var warnings = new List<string>();
        var heldOut = new List<int>();
        string description;
        string aside = "";
        if (options.SetAside.Count > 0)
        {
            var kept = data.Runs.Where(r => r.Replica is not { } replica || !options.SetAside.Contains(replica)).ToList();
            int dropped = data.Runs.Count - kept.Count;
            if (dropped == 0)
                throw new PepLabInputException("holdOutReplica", $"no run of replica {string.Join(" or ", options.SetAside)} (file names ending in _rN.h5) to set aside");
            data = TrajectorySet.FromRuns(data.Root, kept);
            aside = $"; the {dropped} run(s) of replica {string.Join(", ", options.SetAside)} set aside, never trained or validated on";
        }
        switch (options.Kind)
        {
            case SplitKind.Trajectory when options.HoldOutReplica is { } replica:
                description = HoldOutReplica(data, replica, train, val, heldOut);
                break;
            case SplitKind.Trajectory:
                description = HoldOutRuns(data, options, rng, train, val, heldOut, warnings);
                break;
            case SplitKind.Time:
                foreach (var r in data.Runs) TimeSplit(r, options, train, val);
                description = $"time: in each of {options.Blocks} block(s) per run the last {Pct(options.Fraction)} is validation, {options.Gap} frames dropped on each side";
                break;
            default:
                foreach (var r in data.Runs)
                {
                    var t = new List<FrameSpan>();
                    var v = new List<FrameSpan>();
                    for (int f = 0; f < r.Frames; f++)
                        Append(rng.NextDouble() < options.Fraction ? v : t, f);
                    train.Add(new RunSelection(r, t));
                    val.Add(new RunSelection(r, v));
                }
                description = $"random: {Pct(options.Fraction)} of the snapshots, drawn at random";
                warnings.Add(LeakWarning);
                break;
        }
        var result = new SplitResult(new FrameSet(train), new FrameSet(val), description + aside, warnings) { HeldOutRuns = heldOut };
        if (result.Train.IsEmpty) throw new PepLabInputException("split", "leaves no training frames");
        if (result.Validation.IsEmpty)
            throw new PepLabInputException("split", $"leaves no validation frames (runs too short for --gap {options.Gap}?)");
        return result;
    }

    /// <summary>Every run of replica <paramref name="replica"/> is validation, the others training; returns the description.</summary>
    private static string HoldOutReplica(TrajectorySet data, int replica, List<RunSelection> train, List<RunSelection> val, List<int> heldOut)
    {
        foreach (var r in data.Runs)
        {
            var all = new RunSelection(r, [new FrameSpan(0, r.Frames)]);
            if (r.Replica == replica)
            {
                val.Add(all);
                heldOut.Add(r.Id);
            }
            else train.Add(all);
        }
        heldOut.Sort();
        if (heldOut.Count == 0)
            throw new PepLabInputException("holdOutReplica", $"no run of replica {replica} (file names ending in _r{replica}.h5)");
        return $"trajectory: the {heldOut.Count} run(s) of replica {replica} held out for validation";
    }

    /// <summary>
    /// In each (density, P_t) group with two runs or more, a random share of whole runs is
    /// validation; a group of one run is split in time. Returns the description.
    /// </summary>
    private static string HoldOutRuns(TrajectorySet data, SplitOptions options, Random rng, List<RunSelection> train, List<RunSelection> val,
        List<int> heldOut, List<string> warnings)
    {
        int timeGroups = 0, heldGroups = 0;
        foreach (var group in data.Runs.GroupBy(r => r.Group).OrderBy(g => g.Key))
        {
            var runs = group.OrderBy(r => r.Id).ToList();
            if (runs.Count >= 2)
            {
                Shuffle(runs, rng);
                int hold = Math.Clamp((int)Math.Round(options.Fraction * runs.Count), 1, runs.Count - 1);
                foreach (var r in runs.Take(hold))
                {
                    val.Add(new RunSelection(r, [new FrameSpan(0, r.Frames)]));
                    heldOut.Add(r.Id);
                }
                foreach (var r in runs.Skip(hold)) train.Add(new RunSelection(r, [new FrameSpan(0, r.Frames)]));
                heldGroups++;
            }
            else
            {
                TimeSplit(runs[0], options, train, val);
                timeGroups++;
            }
        }
        heldOut.Sort();
        if (timeGroups > 0 && heldGroups > 0)
            warnings.Add($"{timeGroups} (density, P_t) group(s) have a single run; their validation frames come from the end of the same trajectory");
        return timeGroups == 0
            ? $"trajectory: {heldOut.Count} whole run(s) held out for validation"
            : heldGroups == 0
                ? $"trajectory: every (density, P_t) has one run, so each run's last {Pct(options.Fraction)} (after a gap of {options.Gap} frames) is validation"
                : $"trajectory: {heldOut.Count} whole run(s) held out; {timeGroups} single-run group(s) split in time (last {Pct(options.Fraction)}, gap {options.Gap})";
    }

    private static void TimeSplit(RunEntry r, SplitOptions o, List<RunSelection> train, List<RunSelection> val)
    {
        var t = new List<FrameSpan>();
        var v = new List<FrameSpan>();
        int n = r.Frames;
        for (int b = 0; b < o.Blocks; b++)
        {
            int start = (int)((long)n * b / o.Blocks), end = (int)((long)n * (b + 1) / o.Blocks);
            if (end <= start) continue;
            int valCount = Math.Max(1, (int)Math.Round(o.Fraction * (end - start)));
            int valStart = end - valCount;
            // Training frames of a block keep a gap from the validation frames before and after them.
            int trainStart = b == 0 ? start : start + o.Gap;
            int trainEnd = valStart - o.Gap;
            if (trainEnd > trainStart) t.Add(new FrameSpan(trainStart, trainEnd - trainStart));
            v.Add(new FrameSpan(valStart, valCount));
        }
        train.Add(new RunSelection(r, t));
        val.Add(new RunSelection(r, v));
    }

    private static void Append(List<FrameSpan> ranges, int frame)
    {
        if (ranges.Count > 0 && ranges[^1].End == frame) ranges[^1] = ranges[^1] with { Count = ranges[^1].Count + 1 };
        else ranges.Add(new FrameSpan(frame, 1));
    }

    private static void Shuffle<T>(List<T> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static string Pct(double f) => $"{100 * f:0.#}%";
}
