using PepLab.Analyse;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>
/// Where each run's steady state begins, for <c>pep train --steady</c>: the run's cluster statistic
/// per frame (default the weighted mean cluster size, the seed's convergence measure) and Chodera's
/// t0 on that series (PepLab.Analyse, pymbar's detectEquilibration).
/// </summary>
public static class SteadyStart
{
    /// <summary>First steady frame of every run, computed with up to <paramref name="jobs"/> files at once.</summary>
    public static IReadOnlyDictionary<int, int> Find(TrajectorySet data, int jobs, FrameStatistic statistic = FrameStatistic.WeightedMean,
        Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        var paths = data.Runs.Select(r => r.Path).ToList();
        var starts = new Dictionary<int, int>();
        RunAnalysis.AnalyseFiles(paths, Math.Max(1, jobs), null, keepSizes: false, (i, series) =>
        {
            var values = series.Series(statistic);
            int t0;
            if (values.Length < Equilibration.MinimumLength || values.Min() == values.Max()) t0 = 0;
            else
            {
                var eq = values.Length > 4000 ? Equilibration.DetectEquilibrationFast(values) : Equilibration.DetectEquilibration(values);
                t0 = series.FrameIndices[eq.T0];
            }
            starts[data.Runs[i].Id] = t0;
        }, framesDone, cancellation);
        return starts;
    }
}
