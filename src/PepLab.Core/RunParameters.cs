using System.Globalization;

namespace PepLab.Core;

/// <summary>
/// Everything that defines one PEP run. Defaults are the original sampler's: 128 x 128, speed 10,
/// 500 warm-up iterations, a snapshot every int(1/P_t) iterations, 1000 snapshots.
/// </summary>
public sealed record RunParameters
{
    public const int DefaultSide = 128;
    public const int DefaultSpeed = 10;
    public const int DefaultWarmup = 500;
    public const int DefaultSnapshots = 1000;

    /// <summary>P_t of a run that does not name one (<c>pep simulate</c> without <c>--tumble</c>).</summary>
    public const double DefaultTumble = 0.1;

    /// <summary>Requested density in (0, 1]; the particle count is <c>int(density * nx * ny)</c>.</summary>
    public double Density { get; init; } = 0.15;

    /// <summary>Tumbling probability P_t in [0, 1] per particle update.</summary>
    public double Tumble { get; init; } = DefaultTumble;

    /// <summary>Rows of the lattice.</summary>
    public int Nx { get; init; } = DefaultSide;

    /// <summary>Columns of the lattice.</summary>
    public int Ny { get; init; } = DefaultSide;

    /// <summary>Sweeps per iteration.</summary>
    public int Speed { get; init; } = DefaultSpeed;

    /// <summary>Iterations run before the first snapshot is considered.</summary>
    public int Warmup { get; init; } = DefaultWarmup;

    /// <summary>Number of snapshots kept.</summary>
    public int Snapshots { get; init; } = DefaultSnapshots;

    /// <summary>Iterations between snapshots; null means the original's <c>int(1/P_t)</c>.</summary>
    public int? Interval { get; init; }

    /// <summary>Seed of the random generator.</summary>
    public ulong Seed { get; init; }

    /// <summary>The lattice geometry.</summary>
    public Lattice Lattice => new(Nx, Ny);

    /// <summary>Particle count, <c>int(density * nx * ny)</c> evaluated in double precision as Python does.</summary>
    public int Particles => ParticleCount(Density, Nx, Ny);

    /// <summary>The actual density N / (nx * ny).</summary>
    public double ActualDensity => (double)Particles / ((long)Nx * Ny);

    /// <summary>The snapshot interval in effect.</summary>
    public int EffectiveInterval => Interval ?? DefaultInterval(Tumble)
        ?? throw new PepLabInputException("interval", "is required when --tumble is 0 (int(1/P_t) is undefined)");

    /// <summary>Iteration number (counted after warm-up, from 0) of snapshot <paramref name="index"/>.</summary>
    public long IterationOf(int index) => (long)index * EffectiveInterval;

    /// <summary>Total particle updates of the whole run (warm-up included).</summary>
    public double TotalUpdates =>
        ((double)Warmup + (double)(Snapshots - 1) * EffectiveInterval + 1) * Speed * Particles;

    /// <summary>
    /// The most snapshots one run may keep on this machine: the iteration list (8 bytes per snapshot,
    /// held in memory by the writer and by every reader) must be one array and take at most an eighth
    /// of the memory available to the process.
    /// </summary>
    public static int MaxSnapshots =>
        (int)Math.Min(Array.MaxLength, Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8 / sizeof(long)));

    /// <summary>The original's snapshot interval <c>int(1/P_t)</c>, or null for P_t = 0.</summary>
    public static int? DefaultInterval(double tumble)
    {
        if (tumble <= 0) return null;
        double inv = 1.0 / tumble;
        return inv >= int.MaxValue ? int.MaxValue : Math.Max(1, (int)inv);
    }

    /// <summary><c>int(density * nx * ny)</c> with Python's left-to-right double arithmetic.</summary>
    public static int ParticleCount(double density, int nx, int ny) => (int)Math.Floor(density * nx * ny);

    /// <summary>
    /// Checks every parameter and throws <see cref="PepLabInputException"/> naming the option and
    /// its allowed range for the first one that is wrong.
    /// </summary>
    public RunParameters Validate()
    {
        if (!(Density > 0 && Density <= 1))
            throw new PepLabInputException("density", $"must be in (0, 1] (got {Format(Density)})");
        if (!(Tumble >= 0 && Tumble <= 1))
            throw new PepLabInputException("tumble", $"must be in [0, 1] (got {Format(Tumble)})");
        if (Nx < 2) throw new PepLabInputException("nx", $"must be at least 2 (got {Nx})");
        if (Ny < 2) throw new PepLabInputException("ny", $"must be at least 2 (got {Ny})");
        _ = Lattice;
        if (Particles < 1)
            throw new PepLabInputException("density",
                $"{Format(Density)} gives zero particles on {Nx} x {Ny} sites (need density >= {Format(1.0 / ((long)Nx * Ny))})");
        if (Speed < 1) throw new PepLabInputException("speed", $"must be at least 1 (got {Speed})");
        if (Warmup < 0) throw new PepLabInputException("warmup", $"must be at least 0 (got {Warmup})");
        if (Snapshots < 1) throw new PepLabInputException("snapshots", $"must be at least 1 (got {Snapshots})");
        if (Snapshots > MaxSnapshots)
            throw new PepLabInputException("snapshots",
                $"{Snapshots} is more than this machine can hold: the writer and every reader keep one 8-byte iteration per snapshot in memory " +
                $"({Snapshots * 8.0 / (1 << 30):0.#} GiB); at most {MaxSnapshots} here");
        if (Interval is < 1) throw new PepLabInputException("interval", $"must be at least 1 (got {Interval})");
        _ = EffectiveInterval;
        return this;
    }

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
