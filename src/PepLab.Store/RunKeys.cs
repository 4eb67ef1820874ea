using System.Globalization;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// The keys that join every per-run table PepLab writes to the others and to <c>manifest.csv</c>
/// (<see cref="Columns"/>, in that order, named as the manifest names them): the trajectory's file
/// name with its extension, the density asked for, P_t, the replica and the seed. A file not named by
/// <c>pep sample</c> has no replica and an original-layout file no seed: those are empty fields
/// (PepLab's CSV convention for a missing value, <see cref="Csv"/>).
/// </summary>
/// <param name="File">The trajectory's file name, as <c>manifest.csv</c>'s <c>file</c> column has it (<c>run_d0.15_t0.02_r0.h5</c>).</param>
/// <param name="Density">The density asked for (<see cref="TrajectoryInfo.DensityRequested"/>), as the manifest has it.</param>
/// <param name="Tumble">P_t.</param>
/// <param name="Replica">The replica of a data-set run (<see cref="RunName"/>); null for other files.</param>
/// <param name="Seed">The run's seed; null when the file does not record one.</param>
public sealed record RunKeys(string File, double Density, double Tumble, int? Replica, ulong? Seed)
{
    /// <summary>The join columns, in order: file, density, tumble, replica, seed.</summary>
    public static readonly IReadOnlyList<string> Columns = ["file", "density", "tumble", "replica", "seed"];

    /// <summary>The join columns as part of a CSV header line.</summary>
    public static string Header => string.Join(',', Columns);

    /// <summary>The keys of the run stored in <paramref name="path"/> whose metadata is <paramref name="info"/>.</summary>
    public static RunKeys Of(string path, TrajectoryInfo info) =>
        new(Path.GetFileName(path), info.DensityRequested, info.Tumble, RunName.ReplicaOf(path), info.Seed);

    /// <summary>The seed as text (a 64-bit unsigned whole number), or empty when unknown.</summary>
    public string SeedText => Seed?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>The keys as CSV fields in <see cref="Columns"/> order, comma-separated (no line end).</summary>
    public string CsvFields() =>
        Csv.Line(Csv.Field(File), Csv.Num(Density), Csv.Num(Tumble), Csv.Num((long?)Replica), SeedText);

    /// <summary>Empty fields for a row that belongs to no run (one comma-separated field per column).</summary>
    public static string EmptyCsvFields => new(',', Columns.Count - 1);
}
