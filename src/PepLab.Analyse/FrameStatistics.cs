using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>
/// Cluster statistics of one frame. Undefined values (an empty frame has no mean cluster size) are NaN.
/// </summary>
/// <param name="Particles">Occupied sites N.</param>
/// <param name="Clusters">Number of clusters K.</param>
/// <param name="MeanSize">N / K.</param>
/// <param name="WeightedMeanSize">sum(s^2) / sum(s): the mean size of the cluster a random particle belongs to.</param>
/// <param name="LargestSize">Size of the largest cluster.</param>
/// <param name="LargestFraction">Largest cluster / N.</param>
/// <param name="PolarisationX">x component (to the right) of the mean orientation unit vector of all particles.</param>
/// <param name="PolarisationY">y component (up the page) of the mean orientation unit vector of all particles.</param>
public readonly record struct FrameStatistics(
    int Particles,
    int Clusters,
    double MeanSize,
    double WeightedMeanSize,
    int LargestSize,
    double LargestFraction,
    double PolarisationX,
    double PolarisationY)
{
    /// <summary>Magnitude of the global polarisation (0: orientations balanced, 1: all particles aligned).</summary>
    public double Polarisation => Math.Sqrt(PolarisationX * PolarisationX + PolarisationY * PolarisationY);

    /// <summary>The value of a named statistic.</summary>
    public double Get(FrameStatistic statistic) => statistic switch
    {
        FrameStatistic.Clusters => Clusters,
        FrameStatistic.Mean => MeanSize,
        FrameStatistic.WeightedMean => WeightedMeanSize,
        FrameStatistic.Largest => LargestFraction,
        FrameStatistic.Polarisation => Polarisation,
        _ => throw new ArgumentOutOfRangeException(nameof(statistic), statistic, null),
    };

    internal static FrameStatistics From(int particles, int clusters, long sumSquares, int largest, double px, double py) =>
        particles == 0
            ? new FrameStatistics(0, 0, double.NaN, double.NaN, 0, double.NaN, double.NaN, double.NaN)
            : new FrameStatistics(particles, clusters, (double)particles / clusters, (double)sumSquares / particles,
                largest, (double)largest / particles, px, py);
}

/// <summary>Per-frame statistics that form a time series (names as in the CSV columns).</summary>
public enum FrameStatistic
{
    /// <summary><c>clusters</c>: number of clusters.</summary>
    Clusters,
    /// <summary><c>mean</c>: mean cluster size N / K.</summary>
    Mean,
    /// <summary><c>weighted_mean</c>: sum(s^2) / sum(s).</summary>
    WeightedMean,
    /// <summary><c>largest</c>: largest cluster / N.</summary>
    Largest,
    /// <summary><c>polarisation</c>: magnitude of the mean orientation vector of all particles.</summary>
    Polarisation,
}

/// <summary>Names of the <see cref="FrameStatistic"/> values.</summary>
public static class FrameStatisticNames
{
    private static readonly (string Name, FrameStatistic Value)[] Table =
    [
        ("clusters", FrameStatistic.Clusters),
        ("mean", FrameStatistic.Mean),
        ("weighted_mean", FrameStatistic.WeightedMean),
        ("largest", FrameStatistic.Largest),
        ("polarisation", FrameStatistic.Polarisation),
    ];

    /// <summary>All names, in CSV column order.</summary>
    public static IReadOnlyList<string> All { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>The CSV/CLI name of <paramref name="statistic"/>.</summary>
    public static string Name(this FrameStatistic statistic) => Table.First(t => t.Value == statistic).Name;

    /// <summary>
    /// Parses a statistic name (case-insensitive; '-' may stand for '_'). An unknown name is a
    /// <see cref="PepLabInputException"/> on <paramref name="subject"/> listing the valid names.
    /// </summary>
    public static FrameStatistic Parse(string name, string subject = "stat")
    {
        string key = name.Trim().ToLowerInvariant().Replace('-', '_');
        foreach (var (n, v) in Table)
            if (n == key) return v;
        throw new PepLabInputException(subject, $"unknown statistic '{name}'; valid names: {string.Join(", ", All)}");
    }
}
