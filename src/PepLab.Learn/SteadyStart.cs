using PepLab.Analyse;

namespace PepLab.Learn;

/// <summary>
/// Where each run's steady state begins, for <c>pep train --steady</c>: <see cref="SteadyState"/> (Chodera's
/// t0, PepLab's one policy) on the run's cluster statistic per frame, by default the weighted mean
/// cluster size, the seed's convergence measure.
/// </summary>
public static class SteadyStart
{
    /// <summary>First steady frame (a trajectory frame index) of every run, computed with up to <paramref name="jobs"/> files at once.</summary>
    public static IReadOnlyDictionary<int, int> Find(TrajectorySet data, int jobs, FrameStatistic statistic = FrameStatistic.WeightedMean,
        Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        var paths = data.Runs.Select(r => r.Path).ToList();
        var starts = new Dictionary<int, int>();
        RunAnalysis.AnalyseFiles(paths, Math.Max(1, jobs), null, keepSizes: false,
            (i, series) => starts[data.Runs[i].Id] = new SteadyState(statistic: statistic).Compute(series).T0Frame,
            framesDone, cancellation);
        return starts;
    }
}
