using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Report;
using PepLab.Store;

namespace PepLab.Experiments;

/// <summary>One scored model (or baseline) on held-out data.</summary>
public sealed record Score
{
    /// <summary>The setting (or method, or lattice size) scored.</summary>
    public required string Setting { get; init; }
    public required ulong Seed { get; init; }
    /// <summary>A sub-group (a density, a lattice size) or "all".</summary>
    public string Group { get; init; } = "all";
    public required int Frames { get; init; }
    public required int Runs { get; init; }
    /// <summary>Pearson r of ln(predicted) against ln(true P_t) over single frames (the primary score).</summary>
    public required double PearsonLog { get; init; }
    /// <summary>Pearson r on P_t over single frames.</summary>
    public required double Pearson { get; init; }
    /// <summary>Mean |ln predicted - ln true| over single frames.</summary>
    public required double MaeLog { get; init; }
    /// <summary>Mean |ln estimate - ln true| over runs (each run's estimate from all its frames).</summary>
    public required double RunMaeLog { get; init; }
    public double TrainSeconds { get; init; }
    /// <summary>Peak working set of the process so far, in MiB.</summary>
    public double PeakMemoryMiB { get; init; }
    /// <summary>Coverage of the 50% and 90% intervals (gaussian head only): per frame, per run.</summary>
    public IReadOnlyList<IntervalCoverage>? Coverage { get; init; }
}

/// <summary>What an experiment wrote and found.</summary>
public sealed record ExperimentResults
{
    public string Format { get; init; } = "peplab.experiment";
    public int FormatVersion { get; init; } = 1;
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string Question { get; init; }
    public required IReadOnlyList<Score> Scores { get; init; }
    public required string Summary { get; init; }
    public required IReadOnlyList<string> Figures { get; init; }
    /// <summary>Bytes of the data folders used.</summary>
    public required long DataBytes { get; init; }
}

/// <summary>
/// <c>pep experiment NAME</c>: runs a built-in experiment from its TOML config and writes report.md,
/// report.html, results.json, the config it used (config.toml) and rerun.sh into the output folder.
/// </summary>
public static class Experiment
{
    public const string ConfigFile = "config.toml";
    public const string ResultsFile = "results.json";
    public const string RerunFile = "rerun.sh";

    /// <summary>Runs an experiment. <paramref name="configText"/> is copied verbatim into the output folder.</summary>
    public static (string Report, ExperimentResults Results) Run(string name, ExperimentConfig config, string configText, string output,
        IExperimentHost host, bool tiny = false, int jobs = 0, int threads = 1)
    {
        if (tiny) config = config.Tiny();
        Check(config, output, jobs, threads);
        string root = Path.GetFullPath(output);
        Directory.CreateDirectory(root);
        Steps.WriteText(Path.Combine(root, ConfigFile), configText);
        Steps.WriteText(Path.Combine(root, RerunFile),
            "#!/bin/sh\n# Reruns this experiment with the config next to this script (data already in this folder is reused).\n" +
            $"cd \"$(dirname \"$0\")\" && exec pep experiment {name} --config {ConfigFile} --out .{(tiny ? " --tiny" : "")}\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(root, RerunFile), File.GetUnixFileMode(Path.Combine(root, RerunFile)) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var ctx = new Context(name, config, root, host, jobs == 0 ? Environment.ProcessorCount : jobs, threads);
        var doc = new ReportDocument($"PepLab experiment: {name}") { Generator = $"PepLab {PepLabVersion.Current}" };
        doc.Heading("Question");
        doc.Paragraph(config.Question.Length > 0 ? config.Question : $"(no question given in {ConfigFile})");
        doc.Heading("Setup");
        doc.Bullets(SetupLines(config, tiny));

        string summary;
        try
        {
            summary = config.Kind switch
            {
                "baseline" => Baseline(ctx, doc),
                "lattice-size" => LatticeSize(ctx, doc),
                "mixed-densities" => Compare(ctx, doc, perDensity: true),
                _ => Compare(ctx, doc, perDensity: false),
            };
        }
        catch (PepLabInputException e)
        {
            // Which [[setting]] a training value came from is known only to the check before.
            throw config.KeySubject(e, config.Settings.Count == 0 ? "train." : null);
        }
        doc.Heading("Files");
        doc.Bullets([$"{ResultsFile}: every score of this report.", $"{ConfigFile}: the config used; {RerunFile}: the command that reruns it.",
            "data*/: the trajectories; models/: the trained models with their held-out predictions.csv."]);
        doc.Heading("Rerun");
        doc.Code($"pep experiment {name} --config {ConfigFile} --out .{(tiny ? " --tiny" : "")}");
        var results = new ExperimentResults
        {
            Name = name,
            Kind = config.Kind,
            Question = config.Question,
            Scores = ctx.Scores,
            Summary = summary,
            Figures = ctx.Figures,
            DataBytes = ctx.DataFolders.Sum(FolderBytes),
        };
        Steps.WriteText(Path.Combine(root, ResultsFile), JsonSerializer.Serialize(results, QuickstartResults.Json) + "\n");
        var (_, html) = doc.Write(root);
        return (html, results);
    }

    /// <summary>
    /// Checks the whole config and every option before anything is created: the output folder, the
    /// jobs, every data set the experiment samples (each run's parameters) and every model it trains
    /// (its settings, threads and the lattice it gets). A library's error about a value the config set
    /// names the TOML key (<c>train.hold_out_replica</c>, <c>setting[1].model</c>), others the parameter.
    /// </summary>
    public static void Check(ExperimentConfig config, string output, int jobs = 0, int threads = 1)
    {
        if (File.Exists(Path.GetFullPath(output))) throw new PepLabInputException("output", $"'{output}' is a file; it needs a folder");
        if (jobs < 0) throw new PepLabInputException("jobs", $"must be 0 (all cores) or more (got {jobs})");
        var d = config.Data;
        try
        {
            foreach (int? side in d.Sizes.Count > 0 ? d.Sizes.Select(x => (int?)x) : [null]) Spec(d, side).Plan();
        }
        catch (PepLabInputException e)
        {
            throw config.KeySubject(e, trainPrefix: null);
        }
        var ctx = new Context("check", config, output, new SilentHost(), Math.Max(jobs, 1), threads);
        int trainNx = config.Train.TrainSize ?? d.Nx, trainNy = config.Train.TrainSize ?? d.Ny;
        var trainings = config.Settings.Count > 0
            ? config.Settings.Select((s, i) => ($"setting[{i}].", s.Train))
            : [("train.", config.Train)];
        foreach (var (prefix, t) in trainings)
        {
            try
            {
                var request = Request(ctx, output, t, config.Seeds[0], output);
                TrainingJob.CheckSettings(request).Config.Shapes(trainNx, trainNy);
            }
            catch (PepLabInputException e)
            {
                throw config.KeySubject(e, prefix);
            }
        }
    }

    /// <summary>The data set of <paramref name="d"/> (at <paramref name="side"/> x <paramref name="side"/> when given).</summary>
    private static SampleSpec Spec(DataConfig d, int? side) => new()
    {
        Densities = d.Densities.ToArray(), Tumbles = d.Tumbles.ToArray(), Replicas = d.Replicas,
        Nx = side ?? d.Nx, Ny = side ?? d.Ny, Snapshots = d.Snapshots, Warmup = d.Warmup, BaseSeed = 1,
    };

    private sealed class Context(string name, ExperimentConfig config, string root, IExperimentHost host, int jobs, int threads)
    {
        public string Name { get; } = name;
        public ExperimentConfig Config { get; } = config;
        public string Root { get; } = root;
        public IExperimentHost Host { get; } = host;
        public int Jobs { get; } = jobs;
        public int Threads { get; } = threads;
        public List<Score> Scores { get; } = [];
        public List<string> Figures { get; } = [];
        public List<string> DataFolders { get; } = [];

        public string Data(int? side = null)
        {
            var spec = Spec(Config.Data, side);
            string folder = Path.Combine(Root, side is { } s ? $"data-{s}" : "data");
            Steps.Sample(Host, folder, spec, Jobs);
            DataFolders.Add(folder);
            return folder;
        }

        public void Figure(ReportDocument doc, string file, string caption)
        {
            Figures.Add(file);
            doc.Figure(file, caption);
        }
    }

    private static IEnumerable<string> SetupLines(ExperimentConfig c, bool tiny)
    {
        var d = c.Data;
        string sizes = d.Sizes.Count > 0 ? string.Join(", ", d.Sizes.Select(s => $"{s}x{s}")) : $"{d.Nx}x{d.Ny}";
        yield return $"Data: lattice {sizes}, densities {string.Join(", ", d.Densities.Select(Figure.Num))}, Pₜ = {string.Join(", ", d.Tumbles.Select(Figure.Num))}, " +
                     $"{d.Replicas} replicas, {d.Snapshots} snapshots per run after {d.Warmup} warm-up iterations.";
        yield return $"Model {c.Train.Model}, {(c.Train.Epochs is { } e ? $"{e} epoch(s)" : "its recipe's epochs")}, head {c.Train.Head}; " +
                     $"scored on replica {c.Train.HoldOutReplica}, whose runs are never trained on; seeds {string.Join(", ", c.Seeds)}.";
        yield return "Scores: Pearson r of ln(predicted) against ln(true Pₜ) over single frames (primary), Pearson r on Pₜ, mean |ln error| per frame and per run (a run's estimate pools all its frames).";
        if (tiny) yield return "Tiny version (--tiny): a seconds-long smoke run; its numbers say nothing about the question.";
    }

    private static TrainRequest Request(Context ctx, string dataset, TrainConfig t, ulong seed, string folder) => new()
    {
        Dataset = dataset,
        Out = folder,
        Model = t.Model,
        Head = LearnNames.ParseHead(t.Head),
        Epochs = t.Epochs,
        Batch = t.Batch,
        Augment = Augmentation.Parse(t.Augment),
        Steady = t.Steady,
        SteadyJobs = ctx.Jobs,
        Seed = seed,
        Threads = ctx.Threads,
        Split = new SplitOptions { Kind = SplitKind.Trajectory, HoldOutReplica = t.HoldOutReplica },
        Overwrite = true,
        // A re-run of the experiment reuses a finished model of the same settings and continues an interrupted one.
        Resume = true,
    };

    private static Score ScoreOf(string setting, ulong seed, string group, Predictions p, IReadOnlyList<RunEstimate> runs, TargetTransform target,
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
            TrainSeconds = Math.Round(seconds, 2),
            PeakMemoryMiB = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            Coverage = Coverage.Of(sub, target),
        };
    }

    private static TargetTransform TargetOf(TrainResult r) => LearnNames.ParseTarget(r.Document.Target);

    // ---- comparisons: steady, rolling, mixed-densities ----

    private static string Compare(Context ctx, ReportDocument doc, bool perDensity)
    {
        var c = ctx.Config;
        string data = ctx.Data();
        var settings = c.Settings.Count > 0 ? c.Settings : [new Setting("default", c.Train)];
        var dataSet = TrajectorySet.Open(data);
        var byId = dataSet.Runs.ToDictionary(r => r.Id);
        var first = new Dictionary<string, TrainResult>();
        // The steady comparison scores every model on the same frames: the held-out runs after their t0.
        FrameSet? steadyTest = null;
        if (c.Kind == "steady")
        {
            var heldOut = TrajectorySet.FromRuns(dataSet.Root, dataSet.Runs.Where(r => r.Replica == c.Train.HoldOutReplica));
            long done = 0;
            IReadOnlyDictionary<int, int> starts = null!;
            ctx.Host.Step("steady state of the held-out runs", heldOut.TotalFrames, "frames", report =>
                starts = SteadyStart.Find(heldOut, ctx.Jobs, framesDone: n => report(Interlocked.Add(ref done, n)), cancellation: ctx.Host.Cancellation));
            steadyTest = heldOut.All().From(r => starts[r.Id]);
            doc.Paragraph($"Every model is scored on the same frames: the {steadyTest.Runs.Count} held-out runs from their steady-state start on ({steadyTest.TotalFrames} frames).");
        }
        foreach (var seed in c.Seeds)
            foreach (var s in settings)
            {
                string folder = Path.Combine(ctx.Root, "models", $"{Slug(s.Name)}-seed{seed}");
                ctx.Host.Info($"{ctx.Name}: setting \"{s.Name}\", seed {seed}");
                var result = Steps.Train(ctx.Host, Request(ctx, data, s.Train, seed, folder), s.Name);
                var v = result.Outcome.Validation;
                var estimates = result.Validation.RunEstimates;
                if (steadyTest is not null)
                    (v, estimates, _) = Steps.Predict(ctx.Host, folder, steadyTest, byId, "score on steady held-out frames");
                ctx.Scores.Add(ScoreOf(s.Name, seed, "all", v, estimates, TargetOf(result), result.Outcome.Seconds));
                if (perDensity)
                    foreach (var density in c.Data.Densities)
                    {
                        var ids = byId.Values.Where(r => Math.Abs(r.Density - density) < 1e-9).Select(r => r.Id).ToHashSet();
                        if (v.Runs.Any(ids.Contains))
                            ctx.Scores.Add(ScoreOf(s.Name, seed, $"ρ = {Figure.Num(density)}", v, estimates, TargetOf(result), result.Outcome.Seconds, ids));
                    }
                first.TryAdd(s.Name, result);
            }

        doc.Heading("Results");
        var overall = ctx.Scores.Where(x => x.Group == "all").ToList();
        doc.Table(["setting", "seeds", "r (ln Pₜ)", "r (Pₜ)", "|ln error| per frame", "|ln error| per run", "train s", "peak MiB"],
            settings.Select(s => overall.Where(x => x.Setting == s.Name).ToList()).Select(g => (IReadOnlyList<string>)
            [
                g[0].Setting, g.Count.ToString(CultureInfo.InvariantCulture), Spread(g, x => x.PearsonLog), Spread(g, x => x.Pearson),
                Spread(g, x => x.MaeLog), Spread(g, x => x.RunMaeLog), Steps.F(g.Average(x => x.TrainSeconds), "0.#"), Steps.F(g.Max(x => x.PeakMemoryMiB), "0"),
            ]));
        if (overall.Any(x => x.Coverage is not null))
            doc.Table(["setting", "seed", "50% interval: frames", "50%: runs", "90% interval: frames", "90%: runs"],
                overall.Where(x => x.Coverage is { Count: 2 }).Select(x => (IReadOnlyList<string>)[x.Setting, x.Seed.ToString(CultureInfo.InvariantCulture),
                    Pct(x.Coverage![0].PerFrame), Pct(x.Coverage[0].PerRun), Pct(x.Coverage[1].PerFrame), Pct(x.Coverage[1].PerRun)]));
        if (perDensity)
        {
            doc.Heading("Per density", 3);
            var groups = ctx.Scores.Where(x => x.Group != "all").GroupBy(x => (x.Setting, x.Group)).ToList();
            doc.Table(["setting", "density", "frames", "r (ln Pₜ)", "|ln error| per frame", "|ln error| per run"],
                groups.Select(g => (IReadOnlyList<string>)[g.Key.Setting, g.Key.Group, g.First().Frames.ToString(CultureInfo.InvariantCulture),
                    Spread(g.ToList(), x => x.PearsonLog), Spread(g.ToList(), x => x.MaeLog), Spread(g.ToList(), x => x.RunMaeLog)]));
            doc.Paragraph($"Peak memory of the process (working set) while training across all densities: {Steps.F(ctx.Scores.Max(x => x.PeakMemoryMiB), "0")} MiB.");
        }
        if (c.Kind == "rolling")
        {
            long bytes = FolderBytes(data);
            doc.Paragraph($"Disk: the unrolled data set takes {Mib(bytes)}. The original stored 13 rolled copies next to every frame, about {Mib(14 * bytes)} for the same data; " +
                          "here rolls are drawn on the fly, so they cost no disk: augment = \"rolls13\" picks one of the original's 13 shifts (r = 0, 10, ..., 120 along both axes) per sample, " +
                          "which emulates training on its stored rolled copies; augment = \"roll\" a uniformly random periodic shift. " +
                          "Every setting trains for the same epochs over the same frames: equal compute.");
        }
        foreach (var (setting, result) in first)
            foreach (var f in Steps.LearningFigureSet(ctx.Root, result, $"{Slug(setting)}_", setting))
                ctx.Figure(doc, f.File, f.Caption + (c.Seeds.Count > 1 ? $" Seed {c.Seeds[0]}." : ""));
        string summary = settings.Count > 1
            ? Winner(overall, settings.Select(s => s.Name).ToList())
            : $"Across all densities: r (ln Pₜ) = {Spread(overall, x => x.PearsonLog)}, r (Pₜ) = {Spread(overall, x => x.Pearson)}; per density r (ln Pₜ): " + string.Join("; ",
                ctx.Scores.Where(x => x.Group != "all").GroupBy(x => x.Group).Select(g => $"{g.Key}: {Spread(g.ToList(), x => x.PearsonLog)}")) +
              $". Worst density: {WorstGroup(ctx.Scores)}.";
        doc.Heading("Summary");
        doc.Paragraph(summary);
        return summary;
    }

    private static string WorstGroup(IEnumerable<Score> scores)
    {
        var g = scores.Where(x => x.Group != "all").GroupBy(x => x.Group).Select(g => (g.Key, R: g.Average(x => x.PearsonLog))).OrderBy(x => x.R).FirstOrDefault();
        return g.Key is null ? "n/a" : $"{g.Key} (r = {Steps.F(g.R)})";
    }

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
            ? $" Over {seeds} seeds the standard deviations are {Steps.F(Sd(best.Scores.Select(s => s.PearsonLog)))} and {Steps.F(Sd(next.Scores.Select(s => s.PearsonLog)))}" +
              (Math.Abs(best.Mean - next.Mean) < Sd(best.Scores.Select(s => s.PearsonLog)) + Sd(next.Scores.Select(s => s.PearsonLog))
                  ? ", so the difference is within the seed-to-seed spread."
                  : ", so the difference is larger than the seed-to-seed spread.")
            : " One seed was run, so the spread over seeds is unknown.";
        return $"\"{best.Name}\" won: r (ln Pₜ) = {Steps.F(best.Mean)} against {Steps.F(next.Mean)} for \"{next.Name}\" " +
               $"(+{Steps.F(best.Mean - next.Mean)}); mean |ln error| per frame {Steps.F(best.MaeLog)} against {Steps.F(next.MaeLog)}." + spread +
               (ranked.Count > 2 ? " Ranking: " + string.Join(" > ", ranked.Select(x => $"{x.Name} ({Steps.F(x.Mean)})")) + "." : "");
    }

    // ---- lattice-size ----

    private static string LatticeSize(Context ctx, ReportDocument doc)
    {
        var c = ctx.Config;
        int trainSize = c.Train.TrainSize!.Value;
        var folders = c.Data.Sizes.ToDictionary(s => s, s => ctx.Data(s));
        foreach (var seed in c.Seeds)
        {
            string model = Path.Combine(ctx.Root, "models", $"size{trainSize}-seed{seed}");
            var result = Steps.Train(ctx.Host, Request(ctx, folders[trainSize], c.Train, seed, model), $"train {trainSize}x{trainSize}");
            if (!result.Document.Input.SizeAgnostic)
                throw new PepLabInputException("train.model", $"'{c.Train.Model}' is not size-agnostic; lattice-size needs a model that reads any lattice size (e.g. peplab)");
            foreach (var size in c.Data.Sizes)
            {
                string label = $"{size}x{size}";
                if (size == trainSize)
                {
                    ctx.Scores.Add(ScoreOf(label, seed, label, result.Outcome.Validation, result.Validation.RunEstimates, TargetOf(result), result.Outcome.Seconds));
                    continue;
                }
                var (p, e, target) = Steps.Evaluate(ctx.Host, model, folders[size]);
                var held = p.Runs.Distinct().Where(id => true).ToHashSet();
                ctx.Scores.Add(ScoreOf(label, seed, label, p, e.RunEstimates, target, 0, held));
                if (seed == c.Seeds[0])
                    foreach (var f in Steps.PredictionFigures(ctx.Root, p.Truth, p.Tumble, $"size{size}_", $"trained on {trainSize}x{trainSize}, scored on {label}"))
                        ctx.Figure(doc, f.File, f.Caption);
            }
            if (seed == c.Seeds[0])
                foreach (var f in Steps.LearningFigureSet(ctx.Root, result, $"size{trainSize}_", $"trained and scored on {trainSize}x{trainSize}"))
                    ctx.Figure(doc, f.File, f.Caption);
        }
        doc.Heading("Results");
        doc.Paragraph($"Trained on {trainSize}x{trainSize} (replica {c.Train.HoldOutReplica} held out); scored on the held-out replica at that size and on every run of the other sizes, which the model never saw.");
        var groups = ctx.Scores.GroupBy(x => x.Setting).ToList();
        doc.Table(["scored on", "frames", "r (ln Pₜ)", "r (Pₜ)", "|ln error| per frame", "|ln error| per run"],
            groups.Select(g => (IReadOnlyList<string>)[g.Key, g.First().Frames.ToString(CultureInfo.InvariantCulture), Spread(g.ToList(), x => x.PearsonLog),
                Spread(g.ToList(), x => x.Pearson), Spread(g.ToList(), x => x.MaeLog), Spread(g.ToList(), x => x.RunMaeLog)]));
        var home = ctx.Scores.Where(x => x.Setting == $"{trainSize}x{trainSize}").Average(x => x.PearsonLog);
        var others = groups.Where(g => g.Key != $"{trainSize}x{trainSize}").Select(g => (g.Key, R: g.Average(x => x.PearsonLog))).OrderBy(x => x.R).ToList();
        string summary = $"On its own size ({trainSize}x{trainSize}) the model reaches r (ln Pₜ) = {Steps.F(home)}; " +
                         string.Join("; ", others.Select(o => $"on {o.Key} {Steps.F(o.R)} ({(o.R >= home ? "+" : "")}{Steps.F(o.R - home)})")) +
                         (others.Count > 0 ? $". The largest loss is on {others[0].Key}." : ".") +
                         (c.Seeds.Count > 1 ? $" Spread over {c.Seeds.Count} seeds in the table (mean ± sd)." : " One seed was run.");
        doc.Heading("Summary");
        doc.Paragraph(summary);
        return summary;
    }

    // ---- baseline ----

    private static string Baseline(Context ctx, ReportDocument doc)
    {
        var c = ctx.Config;
        string data = ctx.Data();
        var set = TrajectorySet.Open(data);
        var (series, summaries) = Steps.Analyse(ctx.Host, set.Runs.Select(r => r.Path).ToList(), set.TotalFrames, ctx.Jobs, keepSizes: false);
        int hold = c.Train.HoldOutReplica;
        var runs = set.Runs.Select((r, i) => (Run: r, Series: series[i], Summary: summaries[i])).ToList();

        // Monotone fit of ln P_t on ln(steady weighted mean cluster size), one per density, on the training replicas.
        var fits = new Dictionary<double, Isotonic>();
        foreach (var g in runs.Where(x => x.Run.Replica != hold).GroupBy(x => x.Run.Density))
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
        var test = runs.Where(x => x.Run.Replica == hold).ToList();
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
                Estimate = est, Low = double.NaN, High = double.NaN, Confidence = double.NaN, Blocks = 0,
            });
        }
        var baseline = new Predictions
        {
            Runs = frameRuns.ToArray(), Frames = frameIdx.ToArray(), Truth = truth.ToArray(), Target = pred.Select(x => Math.Log(x)).ToArray(), Tumble = pred.ToArray(),
        };
        const string Iso = "cluster statistics (isotonic)";
        const string Cnn = "CNN";
        foreach (var seed in c.Seeds)
        {
            ctx.Scores.Add(ScoreOf(Iso, seed, "all", baseline, estimates, TargetTransform.Log));
            string folder = Path.Combine(ctx.Root, "models", $"cnn-seed{seed}");
            var result = Steps.Train(ctx.Host, Request(ctx, data, c.Train, seed, folder), Cnn);
            ctx.Scores.Add(ScoreOf(Cnn, seed, "all", result.Outcome.Validation, result.Validation.RunEstimates, TargetOf(result), result.Outcome.Seconds));
            if (seed == c.Seeds[0])
            {
                foreach (var f in Steps.PredictionFigures(ctx.Root, baseline.Truth, baseline.Tumble, "baseline_", Iso)) ctx.Figure(doc, f.File, f.Caption);
                foreach (var f in Steps.LearningFigureSet(ctx.Root, result, "cnn_", Cnn)) ctx.Figure(doc, f.File, f.Caption);
            }
        }
        doc.Heading("Method");
        doc.Paragraph("Baseline: for each density, an isotonic (monotone non-increasing) regression of ln Pₜ on ln(weighted mean cluster size), " +
                      $"fitted to every steady-state frame of the training replicas. A held-out frame is predicted from its own weighted mean cluster size; " +
                      $"a held-out run from its steady mean. The CNN sees the same training runs and is scored on the same held-out replica {hold}.");
        doc.Table(["density", "fit blocks", "ln size range"], fits.OrderBy(f => f.Key).Select(f => (IReadOnlyList<string>)[Figure.Num(f.Key),
            f.Value.Blocks.Count.ToString(CultureInfo.InvariantCulture), $"{Steps.F(f.Value.Blocks[0].X, "0.##")} .. {Steps.F(f.Value.Blocks[^1].X, "0.##")}"]));
        doc.Heading("Results");
        doc.Table(["method", "seeds", "r (ln Pₜ)", "r (Pₜ)", "|ln error| per frame", "|ln error| per run"],
            new[] { Iso, Cnn }.Select(n => ctx.Scores.Where(x => x.Setting == n).ToList()).Select(g => (IReadOnlyList<string>)
                [g[0].Setting, g.Count.ToString(CultureInfo.InvariantCulture), Spread(g, x => x.PearsonLog), Spread(g, x => x.Pearson), Spread(g, x => x.MaeLog), Spread(g, x => x.RunMaeLog)]));
        var cnnRun = ctx.Scores.Where(x => x.Setting == Cnn).Average(x => x.RunMaeLog);
        var isoRun = ctx.Scores.Where(x => x.Setting == Iso).Average(x => x.RunMaeLog);
        string summary = Winner(ctx.Scores, [Cnn, Iso]) +
                         $" Per run (all frames pooled) the mean |ln error| is {Steps.F(cnnRun)} for the CNN and {Steps.F(isoRun)} for the cluster-statistics baseline" +
                         (cnnRun < isoRun ? $": the CNN adds {Steps.F(isoRun - cnnRun)} in ln Pₜ." : ": the CNN adds nothing over cluster statistics per run.");
        doc.Heading("Summary");
        doc.Paragraph(summary);
        return summary;
    }

    // ---- helpers ----

    private static string Spread(IReadOnlyList<Score> scores, Func<Score, double> f)
    {
        var v = scores.Select(f).ToList();
        return v.Count > 1 ? $"{Steps.F(v.Average())} ± {Steps.F(Sd(v))}" : Steps.F(v[0]);
    }

    private static double Sd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        return v.Length < 2 ? 0 : SampleStatistics.StandardDeviation(v);
    }

    private static string Pct(double x) => $"{100 * x:0.#}%";

    private static string Mib(long bytes) => $"{bytes / 1048576.0:0.#} MiB";

    private static string Slug(string s) => new string(s.ToLowerInvariant().Select(ch => char.IsLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.h5", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
