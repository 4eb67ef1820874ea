using System.Globalization;
using PepLab.Analyse;
using PepLab.Learn;
using PepLab.Report;

namespace PepLab.Experiments;

/// <summary>
/// <c>baseline</c>: P_t from cluster statistics alone (per density, an isotonic fit of ln P_t on the
/// weighted mean cluster size) against the CNN, both scored on the same held-out replica.
/// </summary>
internal sealed class BaselineExperiment : ExperimentKind
{
    private const string Iso = "cluster statistics (isotonic)";
    private const string Cnn = "CNN";
    private const string CnnRaw = "CNN, uncalibrated";

    public override string Name => "baseline";

    private sealed record AnalysedRun(RunEntry Run, RunSeries Series, RunSummary Summary);

    internal override IReadOnlyList<PlannedTraining> Trainings(ExperimentConfig config, string root) =>
        config.Seeds.Select(seed => new PlannedTraining(Cnn, ExperimentContext.DataFolder(root, null), config.Train, seed,
            ExperimentContext.ModelFolder(root, Cnn, seed))).ToList();

    internal override string Run(ExperimentContext ctx, ReportDocument doc)
    {
        var c = ctx.Config;
        string data = ctx.Data();
        var set = TrajectorySet.Open(data);
        var (series, summaries) = StudyStages.Analyse(ctx.Host, set.Runs.Select(r => r.Path).ToList(), set.TotalFrames, ctx.Jobs, keepSizes: false);
        var hold = c.Train.HoldOutReplicas;
        var runs = set.Runs.Select((r, i) => new AnalysedRun(r, series[i], summaries[i])).ToList();
        var fits = Fit(runs.Where(x => x.Run.Replica is not { } r || !hold.Contains(r)));
        var (baseline, estimates) = Predict(fits, runs.Where(x => x.Run.Replica is { } r && hold.Contains(r)));
        foreach (var training in Trainings(c, ctx.Root))
        {
            ulong seed = training.Seed;
            ctx.Scores.Add(Scoring.Of(Iso, seed, "all", baseline, estimates, TargetTransform.Log));
            var result = ctx.Train(training);
            ctx.Scores.Add(Scoring.Of(Cnn, seed, "all", result));
            var raw = StudyStages.ScoreHeldOut(ctx.Host, result, data, hold, CnnRaw, uncalibrated: true);
            ctx.Scores.Add(Scoring.Of(CnnRaw, seed, "all", raw));
            if (seed == c.Seeds[0])
            {
                ctx.AddFigures(doc, StudyStages.PredictionFigures(ctx.Root, baseline.Truth, baseline.Tumble, "baseline_", Iso));
                ctx.AddFigures(doc, StudyStages.LearningFigureSet(ctx.Root, result, "cnn_", Cnn));
            }
        }
        Describe(doc, fits, hold);
        return Results(ctx, doc);
    }

    /// <summary>Monotone fit of ln P_t on ln(steady weighted mean cluster size), one per density, on the training runs.</summary>
    private static Dictionary<double, Isotonic> Fit(IEnumerable<AnalysedRun> training)
    {
        var fits = new Dictionary<double, Isotonic>();
        foreach (var g in training.GroupBy(x => x.Run.Density))
        {
            var x = new List<double>();
            var y = new List<double>();
            foreach (var r in g)
            {
                int start = Math.Max(0, Array.IndexOf(r.Series.FrameIndices, r.Summary.SteadyStart));
                foreach (var v in r.Series.From(start).Series(FrameStatistic.WeightedMean))
                {
                    x.Add(Math.Log(v));
                    y.Add(Math.Log(r.Run.Tumble));
                }
            }
            fits[g.Key] = Isotonic.Fit(x, y, increasing: false);
        }
        return fits;
    }

    /// <summary>The fits' predictions for every frame of the held-out runs, and each run's estimate from its steady mean.</summary>
    private static (Predictions Frames, List<RunEstimate> Runs) Predict(Dictionary<double, Isotonic> fits, IEnumerable<AnalysedRun> test)
    {
        var frameRuns = new List<int>();
        var frameIdx = new List<int>();
        var truth = new List<double>();
        var pred = new List<double>();
        var estimates = new List<RunEstimate>();
        foreach (var r in test)
        {
            if (!fits.TryGetValue(r.Run.Density, out var fit)) continue;
            var wm = r.Series.Series(FrameStatistic.WeightedMean);
            for (int i = 0; i < wm.Length; i++)
            {
                frameRuns.Add(r.Run.Id);
                frameIdx.Add(r.Series.FrameIndices[i]);
                truth.Add(r.Run.Tumble);
                pred.Add(Math.Exp(fit.Predict(Math.Log(wm[i]))));
            }
            double est = Math.Exp(fit.Predict(Math.Log(r.Summary.WeightedMeanSize)));
            estimates.Add(new RunEstimate
            {
                Run = r.Run.Id, File = r.Run.Name, Truth = r.Run.Tumble, Density = r.Run.Density, Frames = wm.Length,
                Estimate = est, Low = double.NaN, High = double.NaN, Confidence = double.NaN, Blocks = 0, Keys = r.Run.Keys,
            });
        }
        var frames = new Predictions
        {
            Runs = frameRuns.ToArray(), Frames = frameIdx.ToArray(), Truth = truth.ToArray(), Target = pred.Select(x => Math.Log(x)).ToArray(), Tumble = pred.ToArray(),
        };
        return (frames, estimates);
    }

    private static void Describe(ReportDocument doc, Dictionary<double, Isotonic> fits, IReadOnlyList<int> hold)
    {
        doc.Heading("Method");
        doc.Paragraph("Baseline: for each density, an isotonic (monotone non-increasing) regression of ln Pₜ on ln(weighted mean cluster size), " +
                      $"fitted to every steady-state frame of the training replicas. A held-out frame is predicted from its own weighted mean cluster size; " +
                      $"a held-out run from its steady mean. The CNN sees the same training runs and is scored on the same held-out replica {Experiment.Replicas(hold)}.");
        doc.Table(["density", "fit blocks", "ln size range"], fits.OrderBy(f => f.Key).Select(f => (IReadOnlyList<string>)[Figure.Num(f.Key),
            f.Value.Blocks.Count.ToString(CultureInfo.InvariantCulture), $"{StudyStages.F(f.Value.Blocks[0].X, "0.##")} .. {StudyStages.F(f.Value.Blocks[^1].X, "0.##")}"]));
    }

    private static string Results(ExperimentContext ctx, ReportDocument doc)
    {
        doc.Heading("Results");
        doc.Table(["method", "seeds", "r (ln Pₜ)", "r (Pₜ)", "|ln error| per frame", "|ln error| per run", "worst per-Pₜ median error"],
            new[] { Iso, CnnRaw, Cnn }.Select(n => ctx.Scores.Where(x => x.Setting == n).ToList()).Select(g => (IReadOnlyList<string>)
                [g[0].Setting, g.Count.ToString(CultureInfo.InvariantCulture), Scoring.Spread(g, x => x.PearsonLog), Scoring.Spread(g, x => x.Pearson),
                 Scoring.Spread(g, x => x.MaeLog), Scoring.Spread(g, x => x.RunMaeLog), Scoring.Spread(g, x => 100 * x.WorstMedianError) + "%"]));
        doc.Paragraph($"\"{CnnRaw}\" is the same network without the map of its output onto the truth that pep train fits on its training frames " +
                      "(read as in prediction: eval mode, no augmentation) and that pep predict and pep evaluate apply by default: the map removes the lean of each Pₜ's " +
                      "predictions toward the middle of the range, which pooling a run's frames cannot average out.");
        var cnnRun = ctx.Scores.Where(x => x.Setting == Cnn).Average(x => x.RunMaeLog);
        var isoRun = ctx.Scores.Where(x => x.Setting == Iso).Average(x => x.RunMaeLog);
        string summary = Scoring.Winner(ctx.Scores, [Cnn, Iso]) +
                         $" Per run (all frames pooled) the mean |ln error| is {StudyStages.F(cnnRun)} for the CNN and {StudyStages.F(isoRun)} for the cluster-statistics baseline" +
                         (cnnRun < isoRun ? $": the CNN adds {StudyStages.F(isoRun - cnnRun)} in ln Pₜ." : ": the CNN adds nothing over cluster statistics per run.");
        doc.Heading("Summary");
        doc.Paragraph(summary);
        return summary;
    }
}
