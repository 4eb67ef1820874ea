using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>How the sizes 1, 2, 3, ... are grouped into histogram bins.</summary>
public abstract record SizeBinning
{
    /// <summary>Bins of <paramref name="width"/> consecutive sizes: [1, 1 + w), [1 + w, 1 + 2w), ...</summary>
    public static SizeBinning Linear(int width = 1) =>
        width >= 1 ? new LinearBins(width) : throw new PepLabInputException("bin width", $"must be at least 1 (got {width})");

    /// <summary>
    /// Logarithmic bins for log-log plots: edges at 10^(i / binsPerDecade) rounded to whole sizes, with
    /// duplicates dropped, so every bin holds at least one whole size (the small sizes get one bin each).
    /// </summary>
    public static SizeBinning Logarithmic(int binsPerDecade = 10) =>
        binsPerDecade >= 1 ? new LogBins(binsPerDecade) : throw new PepLabInputException("bins per decade", $"must be at least 1 (got {binsPerDecade})");

    /// <summary>Lower edges of the bins covering sizes 1..<paramref name="maxSize"/>, plus the final upper edge (exclusive).</summary>
    internal abstract List<int> Edges(int maxSize);

    private sealed record LinearBins(int Width) : SizeBinning
    {
        internal override List<int> Edges(int maxSize)
        {
            var edges = new List<int>();
            for (int e = 1; ; e += Width)
            {
                edges.Add(e);
                if (e > maxSize) return edges;
            }
        }
    }

    private sealed record LogBins(int PerDecade) : SizeBinning
    {
        internal override List<int> Edges(int maxSize)
        {
            var edges = new List<int> { 1 };
            for (int i = 1; edges[^1] <= maxSize; i++)
            {
                int e = (int)Math.Round(Math.Pow(10, (double)i / PerDecade));
                if (e > edges[^1]) edges.Add(e);
            }
            return edges;
        }
    }
}

/// <summary>One bin of a cluster-size histogram: sizes <see cref="Lower"/> .. <see cref="Upper"/> - 1.</summary>
/// <param name="Lower">Smallest size in the bin.</param>
/// <param name="Upper">One past the largest size in the bin.</param>
/// <param name="Clusters">Clusters whose size falls in the bin (pooled over all frames added).</param>
/// <param name="Particles">Particles in those clusters.</param>
/// <param name="Probability">Clusters / all clusters: the share of clusters in the bin.</param>
/// <param name="Density">Probability / bin width: P(s) per unit size, comparable across bins of different widths (log-log plots).</param>
/// <param name="ParticleShare">Particles / all particles: the chance that a random particle sits in a cluster of this bin.</param>
public readonly record struct SizeBin(int Lower, int Upper, long Clusters, long Particles, double Probability, double Density, double ParticleShare)
{
    /// <summary>Number of whole sizes in the bin.</summary>
    public int Width => Upper - Lower;

    /// <summary>Geometric centre of the bin (the x of a log-log plot); equals the size for a one-size bin.</summary>
    public double Centre => Width == 1 ? Lower : Math.Sqrt(Lower * (double)(Upper - 1));
}

/// <summary>
/// Cluster sizes pooled over frames (and runs): the exact count of clusters of every size, binned
/// on demand, linearly or logarithmically.
/// </summary>
public sealed class ClusterSizeDistribution
{
    private long[] _counts = new long[64];

    /// <summary>Frames added.</summary>
    public long Frames { get; private set; }

    /// <summary>Clusters added.</summary>
    public long Clusters { get; private set; }

    /// <summary>Particles in the clusters added.</summary>
    public long Particles { get; private set; }

    /// <summary>Largest size seen (0 before any cluster).</summary>
    public int MaxSize { get; private set; }

    /// <summary>Number of clusters of exactly size <paramref name="size"/>.</summary>
    public long Count(int size) => size >= 1 && size < _counts.Length ? _counts[size] : 0;

    /// <summary>Adds the cluster sizes of one frame (e.g. <see cref="ClusterLabeller.Sizes"/>).</summary>
    public void AddFrame(ReadOnlySpan<int> sizes)
    {
        foreach (int s in sizes)
        {
            if (s < 1) throw new ArgumentOutOfRangeException(nameof(sizes), s, "cluster sizes are at least 1");
            if (s >= _counts.Length) Array.Resize(ref _counts, Math.Max(s + 1, 2 * _counts.Length));
            _counts[s]++;
            Clusters++;
            Particles += s;
            if (s > MaxSize) MaxSize = s;
        }
        Frames++;
    }

    /// <summary>Adds everything pooled in <paramref name="other"/>.</summary>
    public void Add(ClusterSizeDistribution other)
    {
        if (other._counts.Length > _counts.Length) Array.Resize(ref _counts, other._counts.Length);
        for (int s = 1; s < other._counts.Length; s++) _counts[s] += other._counts[s];
        Frames += other.Frames;
        Clusters += other.Clusters;
        Particles += other.Particles;
        MaxSize = Math.Max(MaxSize, other.MaxSize);
    }

    /// <summary>The histogram over sizes 1..<see cref="MaxSize"/> with <paramref name="binning"/>.</summary>
    public IReadOnlyList<SizeBin> Histogram(SizeBinning binning)
    {
        var bins = new List<SizeBin>();
        if (MaxSize == 0) return bins;
        var edges = binning.Edges(MaxSize);
        for (int b = 0; b + 1 < edges.Count; b++)
        {
            int lo = edges[b], hi = edges[b + 1];
            long clusters = 0, particles = 0;
            for (int s = lo; s < hi && s <= MaxSize; s++)
            {
                clusters += _counts[s];
                particles += _counts[s] * s;
            }
            double p = (double)clusters / Clusters;
            bins.Add(new SizeBin(lo, hi, clusters, particles, p, p / (hi - lo), (double)particles / Particles));
        }
        return bins;
    }
}
