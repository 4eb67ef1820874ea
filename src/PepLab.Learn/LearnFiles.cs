using System.Globalization;
using PepLab.Core;
using PepLab.Store;
using System.Text;

namespace PepLab.Learn;

/// <summary>
/// The CSV files the learning commands write (read by pandas, and by PepLab.Report for figures).
/// Each is written to a temporary name and renamed when complete.
/// </summary>
public static class LearnFiles
{
    public const string History = "history.csv";
    public const string Predictions = "predictions.csv";
    public const string PerTumble = "per_tumble.csv";
    public const string Runs = "runs.csv";
    public const string Metrics = "metrics.json";

    /// <summary>history.csv: epoch, train_loss, val_loss, val_r, val_mae, lr, seconds, samples_per_s.</summary>
    public static void WriteHistory(string path, IEnumerable<EpochRecord> history) =>
        Write(path, EpochRecord.CsvHeader, history.Select(h => h.ToCsv()));

    /// <summary>
    /// The join keys (<see cref="RunKeys"/>) that the per-run tables lack after their <c>file</c> and <c>density</c>
    /// columns: tumble, replica, seed (the run's P_t, also in <c>true</c> where known).
    /// </summary>
    public const string KeyColumns = "tumble,replica,seed";

    private static string KeyFields(RunKeys? k) =>
        k is null ? ",," : Csv.Line(Csv.Num(k.Tumble), Csv.Num((long?)k.Replica), k.SeedText);

    /// <summary>
    /// predictions.csv (and predict's frames.csv): one row per frame: run, file, density, frame, true, pred (P_t), pred_target
    /// [, sigma_target], then the remaining join keys tumble, replica, seed.
    /// </summary>
    public static void WritePredictions(string path, Predictions p, IReadOnlyDictionary<int, RunEntry> runs)
    {
        bool sigma = p.Sigma is not null;
        string header = "run,file,density,frame,true,pred,pred_target" + (sigma ? ",sigma_target" : "") + "," + KeyColumns;
        var keys = runs.ToDictionary(x => x.Key, x => KeyFields(x.Value.Keys));
        Write(path, header, Enumerable.Range(0, p.Count).Select(i =>
        {
            var r = runs[p.Runs[i]];
            var line = $"{p.Runs[i]},{Csv.Field(r.Name)},{Csv.Num(r.Density)},{p.Frames[i]},{Csv.Num(p.Truth[i])},{Csv.Num(p.Tumble[i])},{Csv.Num(p.Target[i])}";
            return (sigma ? line + "," + Csv.Num(p.Sigma![i]) : line) + "," + keys[p.Runs[i]];
        }));
    }

    /// <summary>per_tumble.csv: tumble, frames, runs, mean, median, std, bias, median_rel_error, q05, q95, min, max, covers.</summary>
    public static void WritePerTumble(string path, IEnumerable<TumbleStats> stats) =>
        Write(path, "tumble,frames,runs,mean,median,std,bias,median_rel_error,q05,q95,min,max,covers",
            stats.Select(s => string.Join(',', Csv.Num(s.Tumble), s.Frames.ToString(CultureInfo.InvariantCulture), s.Runs.ToString(CultureInfo.InvariantCulture),
                Csv.Num(s.Mean), Csv.Num(s.Median), Csv.Num(s.Std), Csv.Num(s.Bias), Csv.Num(s.MedianRelativeError), Csv.Num(s.Q05), Csv.Num(s.Q95), Csv.Num(s.Min), Csv.Num(s.Max), s.Covers ? "1" : "0")));

    /// <summary>runs.csv: one row per run: run, file, density, true, frames, estimate, low, high, confidence, blocks, then tumble, replica, seed.</summary>
    public static void WriteRuns(string path, IEnumerable<RunEstimate> runs) =>
        Write(path, "run,file,density,true,frames,estimate,low,high,confidence,blocks," + KeyColumns,
            runs.Select(r => string.Join(',', r.Run.ToString(CultureInfo.InvariantCulture), Csv.Field(r.File), Csv.Num(r.Density),
                r.Truth is { } t ? Csv.Num(t) : "", r.Frames.ToString(CultureInfo.InvariantCulture), Csv.Num(r.Estimate), Csv.Num(r.Low), Csv.Num(r.High),
                Csv.Num(r.Confidence), r.Blocks.ToString(CultureInfo.InvariantCulture), KeyFields(r.Keys))));

    /// <summary>Per-run estimates with confidence intervals from per-frame predictions (frames in time order within each run).</summary>
    public static IReadOnlyList<RunEstimate> EstimateRuns(Predictions p, IReadOnlyDictionary<int, RunEntry> runs, TargetTransform transform,
        double confidence = 0.95, int blocks = 10)
    {
        var result = new List<RunEstimate>();
        foreach (var group in Enumerable.Range(0, p.Count).GroupBy(i => p.Runs[i]).OrderBy(g => g.Key))
        {
            var ordered = group.OrderBy(i => p.Frames[i]).Select(i => p.Target[i]).ToArray();
            var (estimate, low, high, b) = Learn.Metrics.RunInterval(ordered, transform, confidence, blocks);
            var run = runs[group.Key];
            result.Add(new RunEstimate
            {
                Run = group.Key,
                File = run.Name,
                Truth = run.Tumble,
                Density = run.Density,
                Frames = ordered.Length,
                Estimate = estimate,
                Low = low,
                High = high,
                Confidence = confidence,
                Blocks = b,
                Keys = run.Keys,
            });
        }
        return result;
    }

    public static void Write(string path, string header, IEnumerable<string> lines)
    {
        AtomicFile.WriteText(path, writer =>
        {
            writer.WriteLine(header);
            foreach (var line in lines) writer.WriteLine(line);
        });
    }

}
