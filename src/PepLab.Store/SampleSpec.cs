using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// What a data set holds: a grid of (density, P_t, replica) runs sharing the other run parameters.
/// Stored as <c>sample.json</c> in the data-set folder, so re-running, resuming or a SLURM task
/// needs only the folder.
/// </summary>
public sealed record SampleSpec
{
    public required double[] Densities { get; init; }
    public required double[] Tumbles { get; init; }
    public int Replicas { get; init; } = 1;
    public int Nx { get; init; } = RunParameters.DefaultSide;
    public int Ny { get; init; } = RunParameters.DefaultSide;
    public int Speed { get; init; } = RunParameters.DefaultSpeed;
    public int Warmup { get; init; } = RunParameters.DefaultWarmup;
    public int Snapshots { get; init; } = RunParameters.DefaultSnapshots;
    /// <summary>Iterations between snapshots; null = int(1/P_t) per run.</summary>
    public int? Interval { get; init; }
    /// <summary>Base seed; each run's seed is derived from it and the run's density, P_t and replica.</summary>
    public ulong BaseSeed { get; init; }
    public int CompressionLevel { get; init; } = TrajectoryFormat.DefaultCompressionLevel;
    /// <summary>
    /// Who created the data set (set when <c>sample.json</c> is first written; null in older files).
    /// Not part of what the data set is: <see cref="SameRunsAs"/> ignores it, so a resumed sweep may
    /// be given another command line, and the file keeps its creator's.
    /// </summary>
    public Provenance? Provenance { get; init; }

    /// <summary>
    /// The spec a <c>pep sample</c> command asks for: <paramref name="stored"/> (the folder's spec when
    /// resuming, so only what is given is compared) or the original sampler's defaults (density 0.15,
    /// the five even tumbles, a fresh seed), with <paramref name="changes"/> applied. Checked: the grid
    /// is planned, so a bad value is refused before anything is written.
    /// </summary>
    public static SampleSpec Merge(SampleSpec? stored, SampleSpecChanges changes)
    {
        var b = stored ?? new SampleSpec { Densities = [0.15], Tumbles = ParameterGrid.EvenTumbles(), BaseSeed = Seeds.Fresh() };
        if (changes.CompressionLevel is < 0 or > 9)
            throw new PepLabInputException("compressionLevel", $"must be in 0..9 (got {changes.CompressionLevel})");
        var spec = b with
        {
            Densities = changes.Densities ?? b.Densities, Tumbles = changes.Tumbles ?? b.Tumbles, Replicas = changes.Replicas ?? b.Replicas,
            Nx = changes.Nx ?? b.Nx, Ny = changes.Ny ?? b.Ny, Speed = changes.Speed ?? b.Speed, Warmup = changes.Warmup ?? b.Warmup,
            Snapshots = changes.Snapshots ?? b.Snapshots, Interval = changes.Interval ?? b.Interval, BaseSeed = changes.BaseSeed ?? b.BaseSeed,
            CompressionLevel = changes.CompressionLevel ?? b.CompressionLevel,
        };
        spec.Plan();
        return spec;
    }

    /// <summary>Every run of the grid, longest first is NOT implied: grid order (density, tumble, replica).</summary>
    public IReadOnlyList<PlannedRun> Plan()
    {
        if (Replicas < 1) throw new PepLabInputException("replicas", $"must be at least 1 (got {Replicas})");
        if (Densities.Length == 0) throw new PepLabInputException("densities", "is empty");
        if (Tumbles.Length == 0) throw new PepLabInputException("tumbles", "is empty");
        var runs = new List<PlannedRun>();
        foreach (var d in Densities)
            foreach (var t in Tumbles)
                for (int r = 0; r < Replicas; r++)
                {
                    var p = new RunParameters
                    {
                        Density = d, Tumble = t, Nx = Nx, Ny = Ny, Speed = Speed, Warmup = Warmup,
                        Snapshots = Snapshots, Interval = Interval,
                        Seed = Seeds.Derive(BaseSeed, RunKey(d, t, r)),
                    };
                    try
                    {
                        p.Validate();
                    }
                    catch (PepLabInputException e)
                    {
                        throw new PepLabInputException(e.Subject, $"{e.Problem} (run density {Fmt(d)}, P_t {Fmt(t)})", e);
                    }
                    runs.Add(new PlannedRun(runs.Count, FileName(d, t, r), r, p));
                }
        var clash = runs.GroupBy(x => x.File).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new PepLabInputException("tumbles", $"two grid values give the same file name '{clash.Key}' (values closer than 6 significant digits)");
        return runs;
    }

    /// <summary>The text a run's seed is derived from: its density, P_t and replica, exactly.</summary>
    public static string RunKey(double density, double tumble, int replica) =>
        $"{density.ToString("R", CultureInfo.InvariantCulture)}|{tumble.ToString("R", CultureInfo.InvariantCulture)}|{replica}";

    /// <summary>File name of a run (see <see cref="RunName"/>).</summary>
    public static string FileName(double density, double tumble, int replica) => new RunName(density, tumble, replica).FileName;

    private static string Fmt(double x) => x.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>True when both describe the same runs (same grid and parameters).</summary>
    public bool SameRunsAs(SampleSpec other) =>
        Densities.SequenceEqual(other.Densities) && Tumbles.SequenceEqual(other.Tumbles) && Replicas == other.Replicas
        && Nx == other.Nx && Ny == other.Ny && Speed == other.Speed && Warmup == other.Warmup
        && Snapshots == other.Snapshots && Interval == other.Interval && BaseSeed == other.BaseSeed;

    /// <summary>The first parameter that differs, for error messages.</summary>
    public string Difference(SampleSpec other)
    {
        if (!Densities.SequenceEqual(other.Densities)) return "--densities";
        if (!Tumbles.SequenceEqual(other.Tumbles)) return "--tumbles";
        if (Replicas != other.Replicas) return "--replicas";
        if (Nx != other.Nx) return "--nx";
        if (Ny != other.Ny) return "--ny";
        if (Speed != other.Speed) return "--speed";
        if (Warmup != other.Warmup) return "--warmup";
        if (Snapshots != other.Snapshots) return "--snapshots";
        if (Interval != other.Interval) return "--interval";
        if (BaseSeed != other.BaseSeed) return "--seed";
        return "";
    }

    internal static JsonSerializerOptions Json => PepLabJson.Options;
}

/// <summary>
/// The name of a data-set run's file, written and parsed here only:
/// <c>run_d{density}_t{P_t}_r{replica}.h5</c>, the density as Python's <c>repr</c> of the float, P_t
/// to 6 significant digits (so a parsed <see cref="Tumble"/> may differ from the run's exact P_t
/// beyond that; the file's attributes hold it exactly), the replica a whole number from 0.
/// </summary>
public readonly record struct RunName(double Density, double Tumble, int Replica)
{
    /// <summary>Extension of trajectory files.</summary>
    public const string Extension = ".h5";

    private static readonly Regex Pattern = new(@"^run_d(?<d>[^_]+)_t(?<t>[^_]+)_r(?<r>\d+)$", RegexOptions.CultureInvariant);

    /// <summary>The file name, <c>run_d{density}_t{P_t}_r{replica}.h5</c>.</summary>
    public string FileName =>
        $"run_d{PythonFloat.Repr(Density)}_t{Tumble.ToString("G6", CultureInfo.InvariantCulture)}_r{Replica.ToString(CultureInfo.InvariantCulture)}{Extension}";

    public override string ToString() => FileName;

    /// <summary>
    /// Parses a run's file name, a path ending in one, or the name without its <c>.h5</c> extension.
    /// False for any other name (files not made by <c>pep sample</c>).
    /// </summary>
    public static bool TryParse(string name, out RunName run)
    {
        run = default;
        string stem = Path.GetFileName(name);
        if (stem.EndsWith(Extension, StringComparison.Ordinal)) stem = stem[..^Extension.Length];
        var m = Pattern.Match(stem);
        if (!m.Success
            || !double.TryParse(m.Groups["d"].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out double density)
            || !double.TryParse(m.Groups["t"].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out double tumble)
            || !int.TryParse(m.Groups["r"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int replica))
            return false;
        run = new RunName(density, tumble, replica);
        return true;
    }

    /// <summary>The replica of a run's file name, or null for a file not named by <c>pep sample</c>.</summary>
    public static int? ReplicaOf(string name) => TryParse(name, out var run) ? run.Replica : null;
}

/// <summary>What a user changes of a <see cref="SampleSpec"/>; null keeps the base value (see <see cref="SampleSpec.Merge"/>).</summary>
public sealed record SampleSpecChanges
{
    public double[]? Densities { get; init; }
    public double[]? Tumbles { get; init; }
    public int? Replicas { get; init; }
    public int? Nx { get; init; }
    public int? Ny { get; init; }
    public int? Speed { get; init; }
    public int? Warmup { get; init; }
    public int? Snapshots { get; init; }
    public int? Interval { get; init; }
    public ulong? BaseSeed { get; init; }
    public int? CompressionLevel { get; init; }

    /// <summary>True when nothing is changed (a bare resume).</summary>
    public bool IsEmpty => this == new SampleSpecChanges();
}

/// <summary>One run of a data set.</summary>
public sealed record PlannedRun(int Index, string File, int Replica, RunParameters Parameters)
{
    /// <summary>Particle updates of the whole run, to balance work and estimate time.</summary>
    public double Work => Parameters.TotalUpdates;
}
