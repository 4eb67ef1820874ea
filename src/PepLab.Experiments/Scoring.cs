using System.Diagnostics;
using PepLab.Analyse;
using PepLab.Learn;

namespace PepLab.Experiments;

/// <summary>Scores of models on held-out data, and how experiments compare and print them.</summary>
public static class Scoring
{
    /// <summary>
    /// The score of predictions <paramref name="p"/> and run estimates <paramref name="runs"/>, over
    /// every run or over the runs in <paramref name="only"/>.
    /// </summary>
    public static Score Of(string setting, ulong seed, string group, Predictions p, IReadOnlyList<RunEstimate> runs, TargetTransform target,
        double seconds = 0, IEnumerable<int>? only = null)
    {
        var idx = Enumerable.Range(0, p.Count).Where(i => only is null || only.Contains(p.Runs[i])).ToArray();
        var lt = idx.Select(i => Math.Log(p.Truth[i])).ToArray();
        var lp = idx.Select(i => p.Tumble[i] > 0 ? Math.Log(p.Tumble[i]) : double.NaN).ToArray();
        var keptRuns = runs.Where(r => only is null || only.Contains(r.Run)).ToList();
        var sub = new Predictions
        {
            Runs = idx.Select(i => p.Runs[i]).ToArray(), Frames = idx.Select(i => p.Frames[i]).ToArray(), Truth = idx.Select(i => p.Truth[i]).ToArray(),
            Target = idx.Select(i => p.Target[i]).ToArray(), Sigma = p.Sigma is null ? null : idx.Select(i => p.Sigma[i]).ToArray(),
            Tumble = idx.Select(i => p.Tumble[i]).ToArray(),
        };
        return new Score
        {
            Setting = setting,
            Seed = seed,
            Group = group,
            Frames = idx.Length,
            Runs = keptRuns.Count,
            PearsonLog = SampleStatistics.Pearson(lp, lt),
            Pearson = SampleStatistics.Pearson(sub.Tumble, sub.Truth),
            MaeLog = lp.Zip(lt).Average(z => Math.Abs(z.First - z.Second)),
            RunMaeLog = keptRuns.Count == 0 ? double.NaN : keptRuns.Average(r => Math.Abs(Math.Log(r.Estimate) - Math.Log(r.Truth ?? double.NaN))),
            WorstMedianError = idx.Length == 0 ? double.NaN : Metrics.PerTumble(sub.Truth, sub.Tumble).Max(t => Math.Abs(t.MedianRelativeError)),
            TrainSeconds = Math.Round(seconds, 2),
            PeakMemoryMiB = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            Coverage = Coverage.Of(sub, target),
        };
    }

    /// <summary>The score of a trained model on its own held-out validation frames.</summary>
    public static Score Of(string setting, ulong seed, string group, TrainResult result, IEnumerable<int>? only = null) =>
        Of(setting, seed, group, result.Outcome.Validation, result.Validation.RunEstimates, TargetOf(result), result.Outcome.Seconds, only);

    /// <summary>The target transform a trained model predicts.</summary>
    public static TargetTransform TargetOf(TrainResult r) => ModelSettingNames.ParseTarget(r.Document.Target);

    /// <summary>Which setting won on the primary score, by how much, with the spread over seeds.</summary>
    public static string Winner(IReadOnlyList<Score> overall, IReadOnlyList<string> names)
    {
        var ranked = names.Select(n => (Name: n, Scores: overall.Where(x => x.Setting == n).ToList()))
            .Where(x => x.Scores.Count > 0)
            .Select(x => (x.Name, x.Scores, Mean: x.Scores.Average(s => s.PearsonLog), MaeLog: x.Scores.Average(s => s.MaeLog)))
            .OrderByDescending(x => double.IsNaN(x.Mean) ? double.NegativeInfinity : x.Mean).ToList();
        if (ranked.Count < 2) return "Only one setting was scored.";
        var (best, next) = (ranked[0], ranked[1]);
        int seeds = best.Scores.Count;
        string spread = seeds > 1
            ? $" Over {seeds} seeds the standard deviations are {StudyStages.F(Sd(best.Scores.Select(s => s.PearsonLog)))} and {StudyStages.F(Sd(next.Scores.Select(s => s.PearsonLog)))}" +
              (Math.Abs(best.Mean - next.Mean) < Sd(best.Scores.Select(s => s.PearsonLog)) + Sd(next.Scores.Select(s => s.PearsonLog))
                  ? ", so the difference is within the seed-to-seed spread."
                  : ", so the difference is larger than the seed-to-seed spread.")
            : " One seed was run, so the spread over seeds is unknown.";
        return $"\"{best.Name}\" won: r (ln Pₜ) = {StudyStages.F(best.Mean)} against {StudyStages.F(next.Mean)} for \"{next.Name}\" " +
               $"(+{StudyStages.F(best.Mean - next.Mean)}); mean |ln error| per frame {StudyStages.F(best.MaeLog)} against {StudyStages.F(next.MaeLog)}." + spread +
               (ranked.Count > 2 ? " Ranking: " + string.Join(" > ", ranked.Select(x => $"{x.Name} ({StudyStages.F(x.Mean)})")) + "." : "");
    }

    /// <summary>The group (other than "all") with the lowest mean primary score, with that score; "n/a" when there is none.</summary>
    public static string WorstGroup(IEnumerable<Score> scores)
    {
        var g = scores.Where(x => x.Group != "all").GroupBy(x => x.Group).Select(g => (g.Key, R: g.Average(x => x.PearsonLog))).OrderBy(x => x.R).FirstOrDefault();
        return g.Key is null ? "n/a" : $"{g.Key} (r = {StudyStages.F(g.R)})";
    }

    /// <summary>"mean ± sd" of a score over seeds, or the single value.</summary>
    public static string Spread(IReadOnlyList<Score> scores, Func<Score, double> f)
    {
        var v = scores.Select(f).ToList();
        return v.Count > 1 ? $"{StudyStages.F(v.Average())} ± {StudyStages.F(Sd(v))}" : StudyStages.F(v[0]);
    }

    /// <summary>The sample standard deviation, 0 for fewer than two values.</summary>
    public static double Sd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        return v.Length < 2 ? 0 : SampleStatistics.StandardDeviation(v);
    }
}
