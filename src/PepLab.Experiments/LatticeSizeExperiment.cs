using System.Globalization;
using PepLab.Core;
using PepLab.Report;

namespace PepLab.Experiments;

/// <summary><c>lattice-size</c>: a size-agnostic model trained on one lattice size and scored on the others, which it never saw.</summary>
internal sealed class LatticeSizeExperiment : ExperimentKind
{
    public override string Name => "lattice-size";

    public override void Validate(ExperimentConfig config, Func<string, string, Exception> bad)
    {
        if (config.Data.Sizes.Count < 2) throw bad("data.sizes", "needs at least two lattice sides for kind \"lattice-size\"");
        if (config.Train.TrainSize is not { } ts || !config.Data.Sizes.Contains(ts)) throw bad("train.train_size", "must be one of data.sizes");
    }

    internal override IReadOnlyList<int?> DataSides(ExperimentConfig config) => config.Data.Sizes.Select(s => (int?)s).ToList();

    /// <summary>One model per seed, on the training size.</summary>
    internal override IReadOnlyList<PlannedTraining> Trainings(ExperimentConfig config, string root)
    {
        int size = config.Train.TrainSize!.Value;
        return config.Seeds.Select(seed => new PlannedTraining($"train {size}x{size}", ExperimentContext.DataFolder(root, size), config.Train, seed,
            Path.Combine(root, "models", $"size{size}-seed{seed}"))).ToList();
    }

    internal override string Run(ExperimentContext ctx, ReportDocument doc)
    {
        var c = ctx.Config;
        int trainSize = c.Train.TrainSize!.Value;
        var folders = c.Data.Sizes.ToDictionary(s => s, s => ctx.Data(s));
        foreach (var training in Trainings(c, ctx.Root)) TrainAndScore(ctx, doc, folders, trainSize, training);
        doc.Heading("Results");
        doc.Paragraph($"Trained on {trainSize}x{trainSize} (replica {Experiment.Replicas(c.Train.HoldOutReplicas)} held out); scored on the held-out replica at that size and on every run of the other sizes, which the model never saw.");
        var groups = ctx.Scores.GroupBy(x => x.Setting).ToList();
        doc.Table(["scored on", "frames", "r (ln Pₜ)", "r (Pₜ)", "|ln error| per frame", "|ln error| per run"],
            groups.Select(g => (IReadOnlyList<string>)[g.Key, g.First().Frames.ToString(CultureInfo.InvariantCulture), Scoring.Spread(g.ToList(), x => x.PearsonLog),
                Scoring.Spread(g.ToList(), x => x.Pearson), Scoring.Spread(g.ToList(), x => x.MaeLog), Scoring.Spread(g.ToList(), x => x.RunMaeLog)]));
        var home = ctx.Scores.Where(x => x.Setting == $"{trainSize}x{trainSize}").Average(x => x.PearsonLog);
        var others = groups.Where(g => g.Key != $"{trainSize}x{trainSize}").Select(g => (g.Key, R: g.Average(x => x.PearsonLog))).OrderBy(x => x.R).ToList();
        string summary = $"On its own size ({trainSize}x{trainSize}) the model reaches r (ln Pₜ) = {StudyStages.F(home)}; " +
                         string.Join("; ", others.Select(o => $"on {o.Key} {StudyStages.F(o.R)} ({(o.R >= home ? "+" : "")}{StudyStages.F(o.R - home)})")) +
                         (others.Count > 0 ? $". The largest loss is on {others[0].Key}." : ".") +
                         (c.Seeds.Count > 1 ? $" Spread over {c.Seeds.Count} seeds in the table (mean ± sd)." : " One seed was run.");
        doc.Heading("Summary");
        doc.Paragraph(summary);
        return summary;
    }

    /// <summary>Trains one seed's model on the training size and scores it on every size; the first seed also draws its figures.</summary>
    private static void TrainAndScore(ExperimentContext ctx, ReportDocument doc, Dictionary<int, string> folders, int trainSize, PlannedTraining training)
    {
        var c = ctx.Config;
        ulong seed = training.Seed;
        bool drawn = seed == c.Seeds[0];
        string model = training.Folder;
        var result = ctx.Train(training);
        if (!result.Document.Input.SizeAgnostic)
            throw new PepLabInputException("train.model", $"'{c.Train.Model}' is not size-agnostic; lattice-size needs a model that reads any lattice size (e.g. peplab)");
        foreach (var size in c.Data.Sizes)
        {
            string label = $"{size}x{size}";
            if (size == trainSize)
            {
                ctx.Scores.Add(Scoring.Of(label, seed, label, result));
                continue;
            }
            var (p, e, target) = StudyStages.Evaluate(ctx.Host, model, folders[size]);
            ctx.Scores.Add(Scoring.Of(label, seed, label, p, e.RunEstimates, target, 0, p.Runs.ToHashSet()));
            if (drawn)
                ctx.AddFigures(doc, StudyStages.PredictionFigures(ctx.Root, p.Truth, p.Tumble, $"size{size}_", $"trained on {trainSize}x{trainSize}, scored on {label}"));
        }
        if (drawn)
            ctx.AddFigures(doc, StudyStages.LearningFigureSet(ctx.Root, result, $"size{trainSize}_", $"trained and scored on {trainSize}x{trainSize}"));
    }
}
