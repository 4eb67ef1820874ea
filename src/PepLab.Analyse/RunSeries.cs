using PepLab.Store;

namespace PepLab.Analyse;

/// <summary>
/// Cluster statistics of one run, frame by frame: the time series of every per-frame statistic,
/// and optionally the cluster sizes of every frame. Arrays are in frame order, ready to plot against
/// <see cref="Iterations"/>.
/// </summary>
public sealed class RunSeries
{
    /// <summary>Name of the run (its file name without the extension).</summary>
    public required string Name { get; init; }

    /// <summary>The file the frames came from.</summary>
    public required string Path { get; init; }

    /// <summary>The run's metadata.</summary>
    public required TrajectoryInfo Info { get; init; }

    /// <summary>Index of each analysed frame in the file.</summary>
    public required int[] FrameIndices { get; init; }

    /// <summary>Iteration of each analysed frame.</summary>
    public required long[] Iterations { get; init; }

    /// <summary>Statistics of each analysed frame.</summary>
    public required FrameStatistics[] Frames { get; init; }

    /// <summary>Cluster sizes of each analysed frame (in label order), when they were kept; else null.</summary>
    public int[][]? Sizes { get; init; }

    /// <summary>Number of analysed frames.</summary>
    public int Count => Frames.Length;

    /// <summary>The time series of <paramref name="statistic"/>.</summary>
    public double[] Series(FrameStatistic statistic)
    {
        var values = new double[Frames.Length];
        for (int i = 0; i < values.Length; i++) values[i] = Frames[i].Get(statistic);
        return values;
    }

    /// <summary>The time series of the x and y components of the global polarisation.</summary>
    public (double[] X, double[] Y) PolarisationVectors() =>
        (Frames.Select(f => f.PolarisationX).ToArray(), Frames.Select(f => f.PolarisationY).ToArray());

    /// <summary>The frames from position <paramref name="first"/> on (e.g. after a detected t0).</summary>
    public RunSeries From(int first)
    {
        if (first < 0 || first > Count) throw new ArgumentOutOfRangeException(nameof(first));
        return new RunSeries
        {
            Name = Name,
            Path = Path,
            Info = Info,
            FrameIndices = FrameIndices[first..],
            Iterations = Iterations[first..],
            Frames = Frames[first..],
            Sizes = Sizes?[first..],
        };
    }

    /// <summary>All cluster sizes of these frames pooled (requires <see cref="Sizes"/>).</summary>
    public ClusterSizeDistribution SizeDistribution()
    {
        if (Sizes is null) throw new InvalidOperationException("the run was analysed without keeping cluster sizes");
        var d = new ClusterSizeDistribution();
        foreach (var s in Sizes) d.AddFrame(s);
        return d;
    }
}
