using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// What a trajectory file says about its run: the root attributes of a PepLab file, or what the
/// original layout's file name gives (<see cref="Layout"/> tells which).
/// </summary>
public sealed record TrajectoryInfo
{
    public required TrajectoryLayout Layout { get; init; }
    /// <summary>Actual density N / (nx * ny).</summary>
    public required double Density { get; init; }
    /// <summary>Density asked for (the original's file name carries only this one).</summary>
    public required double DensityRequested { get; init; }
    public required double Tumble { get; init; }
    public required int Nx { get; init; }
    public required int Ny { get; init; }
    public required int Particles { get; init; }
    /// <summary>Number of frames stored.</summary>
    public required int Frames { get; init; }
    public int? Speed { get; init; }
    public int? Warmup { get; init; }
    public int? Interval { get; init; }
    public ulong? Seed { get; init; }
    public string? Generator { get; init; }
    /// <summary>The PepLab version that wrote the file (null for a legacy file).</summary>
    public string? PeplabVersion { get; init; }
    /// <summary>
    /// Who wrote the file, as its attributes say: null for a legacy file or one written before PepLab
    /// recorded the command line, time and host. A <see cref="TrajectoryWriter"/> records its own
    /// process's (<see cref="Provenance.Current"/>), whatever the info it is given holds here.
    /// </summary>
    public Provenance? Provenance { get; init; }

    public Lattice Lattice => new(Nx, Ny);

    /// <summary>The metadata of a PepLab run with these parameters.</summary>
    public static TrajectoryInfo FromRun(RunParameters p, int? particles = null) => new()
    {
        Layout = TrajectoryLayout.PepLab,
        Density = (double)(particles ?? p.Particles) / ((long)p.Nx * p.Ny),
        DensityRequested = p.Density,
        Tumble = p.Tumble,
        Nx = p.Nx,
        Ny = p.Ny,
        Particles = particles ?? p.Particles,
        Frames = p.Snapshots,
        Speed = p.Speed,
        Warmup = p.Warmup,
        Interval = p.EffectiveInterval,
        Seed = p.Seed,
        Generator = SimulationStream.Current,
    };
}

/// <summary>Which file layout a trajectory was read from.</summary>
public enum TrajectoryLayout
{
    /// <summary>PepLab's own: <c>/frames</c> (T, nx, ny) uint8, <c>/iterations</c>, root attributes.</summary>
    PepLab,
    /// <summary>The original sampler's: <c>conf_{iteration}</c> datasets, parameters in the file name.</summary>
    Legacy,
}
