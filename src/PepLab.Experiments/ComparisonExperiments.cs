using System.Globalization;
using PepLab.Learn;
using PepLab.Report;

namespace PepLab.Experiments;

/// <summary>
/// A comparison: every <c>[[setting]]</c> is trained with every seed on one data set and scored on
/// the held-out replica; the report ranks the settings. The kinds differ in the frames they score
/// on, the groups they score and what they add to the results.
/// </summary>
internal abstract class ComparisonExperiment : ExperimentKind
{
    internal override string Run(ExperimentContext ctx, ReportDocument doc)
    {
        var c = ctx.Config;
        string data = ctx.Data();
        var settings = c.Settings.Count > 0 ? c.Settings : [new Setting("default", c.Train)];
        var dataSet = TrajectorySet.Open(data);
        var scoringFrames = ScoringFrames(ctx, dataSet, doc);
        var first = TrainAndScore(ctx, data, dataSet, settings, scoringFrames);

        doc.Heading("Results");
        var overall = ctx.Scores.Where(x => x.Group == "all").ToList();
        ResultTables(doc, settings, overall);
        Discuss(ctx, data, doc);
        foreach (var (setting, result) in first)
            ctx.AddFigures(doc, StudyStages.LearningFigureSet(ctx.Root, result, $"{ExperimentContext.Slug(setting)}_", setting)
                .Select(f => (f.File, f.Caption + (c.Seeds.Count > 1 ? $" Seed {c.Seeds[0]}." : ""))));
        string summary = Summary(ctx, settings, overall);
        doc.Heading("Summary");
        doc.Paragraph(summary);
        return summary;
    }

    /// <summary>Every setting with every seed (seeds outermost), on the one data set.</summary>
    internal override IReadOnlyList<PlannedTraining> Trainings(ExperimentConfig config, string root)
    {
        var settings = config.Settings.Count > 0 ? config.Settings : [new Setting("default", config.Train)];
        return config.Seeds.SelectMany(seed => settings.Select(s => new PlannedTraining(s.Name, ExperimentContext.DataFolder(root, null), s.Train, seed,
            ExperimentContext.ModelFolder(root, s.Name, seed)))).ToList();
    }

    /// <summary>The frames every model is scored on, or null for each model's own held-out validation frames.</summary>
    protected virtual FrameSet? ScoringFrames(ExperimentContext ctx, TrajectorySet data, ReportDocument doc) => null;

    /// <summary>Scores of a trained model on sub-groups of the held-out runs (none by default).</summary>
    protected virtual IEnumerable<Score> GroupScores(ExperimentContext ctx, string setting, ulong seed, TrainResult result,
        IReadOnlyDictionary<int, RunEntry> runs) => [];

    /// <summary>What this kind adds after the results tables.</summary>
    protected virtual void Discuss(ExperimentContext ctx, string data, ReportDocument doc)
    {
    }

    /// <summary>The summary paragraph: which setting won.</summary>
    protected virtual string Summary(ExperimentContext ctx, IReadOnlyList<Setting> settings, IReadOnlyList<Score> overall) =>
        Scoring.Winner(overall, settings.Select(s => s.Name).ToList());

    /// <summary>Trains every setting with every seed and records its scores; returns the first seed's model of each setting.</summary>
    private Dictionary<string, TrainResult> TrainAndScore(ExperimentContext ctx, string data, TrajectorySet dataSet, IReadOnlyList<Setting> settings,
        FrameSet? scoringFrames)
    {
        var byId = dataSet.Runs.ToDictionary(r => r.Id);
        var first = new Dictionary<string, TrainResult>();
        foreach (var t in Trainings(ctx.Config, ctx.Root))
        {
            ctx.Host.Info($"{ctx.Name}: setting \"{t.Label}\", seed {t.Seed}");
            var result = ctx.Train(t);
            if (scoringFrames is null)
                ctx.Scores.Add(Scoring.Of(t.Label, t.Seed, "all", result));
            else
            {
                var (v, estimates, _) = StudyStages.Predict(ctx.Host, t.Folder, scoringFrames, byId, "score on steady held-out frames");
                ctx.Scores.Add(Scoring.Of(t.Label, t.Seed, "all", v, estimates, Scoring.TargetOf(result), result.Outcome.Seconds));
            }
            ctx.Scores.AddRange(GroupScores(ctx, t.Label, t.Seed, result, byId));
            first.TryAdd(t.Label, result);
        }
        return first;
    }

    private static void ResultTables(ReportDocument doc, IReadOnlyList<Setting> settings, IReadOnlyList<Score> overall)
    {
        doc.Table(["setting", "seeds", "r (ln Pₜ)", "r (Pₜ)", "|ln error| per frame", "|ln error| per run", "train s", "peak MiB"],
            settings.Select(s => overall.Where(x => x.Setting == s.Name).ToList()).Select(g => (IReadOnlyList<string>)
            [
                g[0].Setting, g.Count.ToString(CultureInfo.InvariantCulture), Scoring.Spread(g, x => x.PearsonLog), Scoring.Spread(g, x => x.Pearson),
                Scoring.Spread(g, x => x.MaeLog), Scoring.Spread(g, x => x.RunMaeLog), StudyStages.F(g.Average(x => x.TrainSeconds), "0.#"), StudyStages.F(g.Max(x => x.PeakMemoryMiB), "0"),
            ]));
        if (overall.Any(x => x.Coverage is not null))
            doc.Table(["setting", "seed", "50% interval: frames", "50%: runs", "90% interval: frames", "90%: runs"],
                overall.Where(x => x.Coverage is { Count: 2 }).Select(x => (IReadOnlyList<string>)[x.Setting, x.Seed.ToString(CultureInfo.InvariantCulture),
                    Pct(x.Coverage![0].PerFrame), Pct(x.Coverage[0].PerRun), Pct(x.Coverage[1].PerFrame), Pct(x.Coverage[1].PerRun)]));
    }

    private static string Pct(double x) => $"{100 * x:0.#}%";

    public override void Validate(ExperimentConfig config, Func<string, string, Exception> bad)
    {
        if (NeedsTwoSettings && config.Settings.Count < 2) throw bad("[[setting]]", $"needs at least two settings to compare for kind \"{Name}\"");
    }

    /// <summary>Whether the config must give at least two settings to compare.</summary>
    protected virtual bool NeedsTwoSettings => true;
}

/// <summary><c>steady</c>: models trained on all frames or steady-state frames only, all scored on the same steady held-out frames.</summary>
internal sealed class SteadyExperiment : ComparisonExperiment
{
    public override string Name => "steady";

    protected override FrameSet ScoringFrames(ExperimentContext ctx, TrajectorySet data, ReportDocument doc)
    {
        var heldOut = TrajectorySet.FromRuns(data.Root, data.Runs.Where(r => r.Replica is { } replica && ctx.Config.Train.HoldOutReplicas.Contains(replica)));
        long done = 0;
        var starts = ctx.Host.Step("steady state of the held-out runs", heldOut.TotalFrames, "frames", report =>
            SteadyStart.Find(heldOut, ctx.Jobs, framesDone: n => report(Interlocked.Add(ref done, n)), cancellation: ctx.Host.Cancellation));
        var frames = heldOut.All().From(r => starts[r.Id]);
        doc.Paragraph($"Every model is scored on the same frames: the {frames.Runs.Count} held-out runs from their steady-state start on ({frames.TotalFrames} frames).");
        return frames;
    }
}

/// <summary><c>rolling</c>: unrolled training against the original's rolls and other augmentations, at equal compute.</summary>
internal sealed class RollingExperiment : ComparisonExperiment
{
    public override string Name => "rolling";

    protected override void Discuss(ExperimentContext ctx, string data, ReportDocument doc)
    {
        long bytes = ExperimentContext.FolderBytes(data);
        doc.Paragraph($"Disk: the unrolled data set takes {Mib(bytes)}. The original stored 13 rolled copies next to every frame, about {Mib(14 * bytes)} for the same data; " +
                      "here rolls are drawn on the fly, so they cost no disk: augment = \"rolls13\" picks one of the original's 13 shifts (r = 0, 10, ..., 120 along both axes) per sample, " +
                      "which emulates training on its stored rolled copies; augment = \"roll\" a uniformly random periodic shift. " +
                      "Every setting trains for the same epochs over the same frames: equal compute.");
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:0.#} MiB";
}

/// <summary><c>mixed-densities</c>: one model across densities, scored per density, with the peak memory of training.</summary>
internal sealed class MixedDensitiesExperiment : ComparisonExperiment
{
    public override string Name => "mixed-densities";

    protected override bool NeedsTwoSettings => false;

    protected override IEnumerable<Score> GroupScores(ExperimentContext ctx, string setting, ulong seed, TrainResult result,
        IReadOnlyDictionary<int, RunEntry> runs)
    {
        var scored = result.Outcome.Validation.Runs;
        foreach (var density in ctx.Config.Data.Densities)
        {
            var ids = runs.Values.Where(r => Math.Abs(r.Density - density) < 1e-9).Select(r => r.Id).ToHashSet();
            if (scored.Any(ids.Contains))
                yield return Scoring.Of(setting, seed, Group(density), result, ids);
        }
    }

    private static string Group(double density) => $"ρ = {Figure.Num(density)}";

    protected override void Discuss(ExperimentContext ctx, string data, ReportDocument doc)
    {
        doc.Heading("Per density", 3);
        AccuracyFigures(ctx, doc);
        var groups = ctx.Scores.Where(x => x.Group != "all").GroupBy(x => (x.Setting, x.Group)).ToList();
        doc.Table(["setting", "density", "frames", "r (ln Pₜ)", "|ln error| per frame", "|ln error| per run"],
            groups.Select(g => (IReadOnlyList<string>)[g.Key.Setting, g.Key.Group, g.First().Frames.ToString(CultureInfo.InvariantCulture),
                Scoring.Spread(g.ToList(), x => x.PearsonLog), Scoring.Spread(g.ToList(), x => x.MaeLog), Scoring.Spread(g.ToList(), x => x.RunMaeLog)]));
        doc.Paragraph($"Peak memory of the process (working set) while training across all densities: {StudyStages.F(ctx.Scores.Max(x => x.PeakMemoryMiB), "0")} MiB.");
    }

    /// <summary>Accuracy against density, one line per setting (means over seeds): r (ln Pₜ), and the mean |ln error| per frame and per run.</summary>
    private static void AccuracyFigures(ExperimentContext ctx, ReportDocument doc)
    {
        var densities = ctx.Config.Data.Densities.Order().ToArray();
        var settings = ctx.Scores.Where(x => x.Group != "all").Select(x => x.Setting).Distinct().ToList();
        double[] Mean(string setting, Func<Score, double> f) => densities.Select(d =>
            ctx.Scores.Where(x => x.Setting == setting && x.Group == Group(d)).Select(f).DefaultIfEmpty(double.NaN).Average()).ToArray();
        string Label(string setting, string what) => settings.Count > 1 ? $"{setting}: {what}" : what;
        string seeds = ctx.Config.Seeds.Count > 1 ? $" Means over {ctx.Config.Seeds.Count} seeds." : "";
        var r = settings.Select(s => new ScoreCurve(settings.Count > 1 ? s : "r (ln Pₜ) per frame", densities, Mean(s, x => x.PearsonLog))).ToList();
        double low = r.SelectMany(c => c.Y).Where(double.IsFinite).DefaultIfEmpty(0).Min();
        LearningFigures.ScoreAgainst(r, "Accuracy against density: correlation", "density ρ (particles per site)", "Pearson r of ln(predicted) with ln(true Pₜ)",
            (Math.Min(low, 0.98) - 0.01, 1.002)).SavePng(Path.Combine(ctx.Root, "accuracy_r_vs_density.png"));
        ctx.AddFigure(doc, "accuracy_r_vs_density.png",
            $"Pearson r of ln(predicted) against ln(true Pₜ) over the held-out frames of each density{(settings.Count > 1 ? ", one line per setting" : "")}.{seeds}");
        var errors = settings.SelectMany(s => new[]
        {
            new ScoreCurve(Label(s, "|ln error| per frame"), densities, Mean(s, x => x.MaeLog)),
            new ScoreCurve(Label(s, "|ln error| per run (all its frames pooled)"), densities, Mean(s, x => x.RunMaeLog), Dashed: true),
        }).ToList();
        LearningFigures.ScoreAgainst(errors, "Accuracy against density: error", "density ρ (particles per site)", "mean |ln predicted − ln true Pₜ|",
            legend: ScottPlot.Alignment.UpperRight).SavePng(Path.Combine(ctx.Root, "accuracy_error_vs_density.png"));
        ctx.AddFigure(doc, "accuracy_error_vs_density.png",
            $"Mean |ln error| of each density's held-out runs: per frame (solid) and per run, from the estimate that pools all its frames (dashed).{seeds}");
    }

    protected override string Summary(ExperimentContext ctx, IReadOnlyList<Setting> settings, IReadOnlyList<Score> overall) =>
        settings.Count > 1
            ? base.Summary(ctx, settings, overall)
            : $"Across all densities: r (ln Pₜ) = {Scoring.Spread(overall, x => x.PearsonLog)}, r (Pₜ) = {Scoring.Spread(overall, x => x.Pearson)}; per density r (ln Pₜ): " +
              string.Join("; ", ctx.Scores.Where(x => x.Group != "all").GroupBy(x => x.Group).Select(g => $"{g.Key}: {Scoring.Spread(g.ToList(), x => x.PearsonLog)}")) +
              $". Worst density: {Scoring.WorstGroup(ctx.Scores)}.";
}
