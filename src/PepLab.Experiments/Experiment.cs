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
    /// <summary>The largest |median predicted / true - 1| over the P_t values (the seed's per-P_t criterion).</summary>
    public double WorstMedianError { get; init; }
    public double TrainSeconds { get; init; }
    /// <summary>Peak working set of the process so far, in MiB.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("peak_memory_mib")]
    public double PeakMemoryMiB { get; init; }
    /// <summary>Coverage of the 50% and 90% intervals (gaussian head only): per frame, per run.</summary>
    public IReadOnlyList<IntervalCoverage>? Coverage { get; init; }
}

/// <summary>What an experiment wrote and found.</summary>
public sealed record ExperimentResults
{
    public string Format { get; init; } = "peplab.experiment";
    public int FormatVersion { get; init; } = 1;
    /// <summary>The process that wrote the results.</summary>
    public Provenance Provenance { get; init; } = Provenance.Current();
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
    /// <summary>Which experiment the folder holds and how it was started (read by <c>pep status</c>).</summary>
    public const string RunFile = "experiment.json";

    /// <summary>The content of <see cref="RunFile"/>.</summary>
    public sealed record RunDescription
    {
        public string Format { get; init; } = "peplab.experiment-run";
        public required string Name { get; init; }
        public bool Tiny { get; init; }
        public ExperimentOverrides? Overrides { get; init; }
    }

    /// <summary>True when <paramref name="folder"/> holds an experiment (its config and <see cref="RunFile"/>).</summary>
    public static bool IsExperiment(string folder) =>
        File.Exists(Path.Combine(folder, RunFile)) && File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>The experiment in <paramref name="folder"/>, as its jobs run it; a damaged file is refused naming it.</summary>
    public static ExperimentCampaign.Job Open(string folder)
    {
        string root = Path.GetFullPath(folder), run = Path.Combine(root, RunFile), config = Path.Combine(root, ConfigFile);
        RunDescription? description;
        try
        {
            description = JsonSerializer.Deserialize<RunDescription>(File.ReadAllText(run), QuickstartResults.Json);
        }
        catch (JsonException e)
        {
            throw new BadFileException(run, $"is not a PepLab experiment description ({e.Message})");
        }
        if (description is null) throw new BadFileException(run, "is empty");
        return new ExperimentCampaign.Job
        {
            Name = description.Name, Tiny = description.Tiny, Overrides = description.Overrides, Root = root,
            Config = ExperimentConfig.Parse(File.ReadAllText(config), config),
        };
    }

    /// <summary>Runs an experiment. <paramref name="configText"/> is copied verbatim into the output folder.</summary>
    public static (string Report, ExperimentResults Results) Run(string name, ExperimentConfig config, string configText, string output,
        IExperimentHost host, bool tiny = false, int jobs = 0, int threads = 1, ExperimentOverrides? overrides = null)
    {
        if (tiny) config = config.Tiny();
        // Given values win over --tiny's: --tiny --snapshots 100 runs 100 snapshots.
        if (overrides is not null) config = config.With(overrides);
        Check(config, output, jobs, threads);
        string root = WriteInputs(name, configText, output, tiny, overrides);
        var ctx = new ExperimentContext(name, config, root, host, jobs == 0 ? Environment.ProcessorCount : jobs, threads);
        var doc = new ReportDocument($"PepLab experiment: {name}") { Generator = $"PepLab {PepLabVersion.Current}" };
        doc.Heading("Question");
        doc.Paragraph(config.Question.Length > 0 ? config.Question : $"(no question given in {ConfigFile})");
        doc.Heading("Setup");
        doc.Bullets(SetupLines(config, tiny, overrides));

        string summary;
        try
        {
            summary = ExperimentKind.Of(config.Kind).Run(ctx, doc);
        }
        catch (PepLabInputException e)
        {
            // Which [[setting]] a training value came from is known only to the check before.
            throw config.KeySubject(e, config.Settings.Count == 0 ? "train." : null);
        }
        doc.Heading("Files");
        doc.Bullets([$"{ResultsFile}: every score of this report.", $"{ConfigFile}: the config used; {RerunFile}: the command that reruns it.",
            "data*/: the trajectories; models/: the trained models, each with its scoring of the held-out replicas in eval-heldout/ (predictions.csv, per_tumble.csv, runs.csv, metrics.json)."]);
        doc.Heading("Rerun");
        doc.Code($"pep experiment {name} --config {ConfigFile} --out .{RerunOptions(tiny, overrides)}");
        var results = new ExperimentResults
        {
            Name = name,
            Kind = config.Kind,
            Question = config.Question,
            Scores = ctx.Scores,
            Summary = summary,
            Figures = ctx.Figures,
            DataBytes = ctx.DataFolders.Sum(ExperimentContext.FolderBytes),
        };
        StudyStages.WriteText(Path.Combine(root, ResultsFile), JsonSerializer.Serialize(results, QuickstartResults.Json) + "\n");
        var (_, html) = doc.Write(root);
        return (html, results);
    }

    /// <summary>The options after <c>--out</c> that repeat --tiny and the overrides (" --tiny --snapshots 100").</summary>
    public static string RerunOptions(bool tiny, ExperimentOverrides? overrides) =>
        (tiny ? " --tiny" : "") + string.Concat((overrides?.Arguments() ?? []).Select(a => " " + a));

    /// <summary>
    /// Creates the output folder with the config used (config.toml) and rerun.sh, which calls the same
    /// <c>pep</c> as this process; returns the folder's full path.
    /// </summary>
    public static string WriteInputs(string name, string configText, string output, bool tiny, ExperimentOverrides? overrides = null)
    {
        string options = RerunOptions(tiny, overrides);
        string root = Path.GetFullPath(output);
        Directory.CreateDirectory(root);
        StudyStages.WriteText(Path.Combine(root, ConfigFile), configText);
        StudyStages.WriteText(Path.Combine(root, RunFile), JsonSerializer.Serialize(new RunDescription { Name = name, Tiny = tiny, Overrides = overrides is { IsEmpty: false } ? overrides : null }, QuickstartResults.Json) + "\n");
        string rerun = Path.Combine(root, RerunFile);
        StudyStages.WriteText(rerun,
            "#!/bin/sh\n# Reruns this experiment with the config next to this script (data and models already in this folder are reused).\n" +
            $"cd \"$(dirname \"$0\")\" && exec {SlurmCampaign.CurrentPepCommand()} experiment {name} --config {ConfigFile} --out .{options}\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(rerun, File.GetUnixFileMode(rerun) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return root;
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
        if (jobs < 0) throw new PepLabInputException("jobs", $"must be 0 (all cores) or a positive count (got {jobs})");
        var d = config.Data;
        try
        {
            foreach (int? side in d.Sizes.Count > 0 ? d.Sizes.Select(x => (int?)x) : [null]) ExperimentContext.Spec(d, side).Plan();
        }
        catch (PepLabInputException e)
        {
            throw config.KeySubject(e, trainPrefix: null);
        }
        var ctx = new ExperimentContext("check", config, output, new SilentHost(), Math.Max(jobs, 1), threads);
        int trainNx = config.Train.TrainSize ?? d.Nx, trainNy = config.Train.TrainSize ?? d.Ny;
        var trainings = config.Settings.Count > 0
            ? config.Settings.Select((s, i) => ($"setting[{i}].", s.Train))
            : [("train.", config.Train)];
        foreach (var (prefix, t) in trainings)
        {
            try
            {
                var request = ctx.Request(output, t, config.Seeds[0], output);
                TrainingJob.CheckSettings(request).Config.Shapes(trainNx, trainNy);
            }
            catch (PepLabInputException e)
            {
                throw config.KeySubject(e, prefix);
            }
        }
    }

    /// <summary>Replica numbers as text: "1", "1 and 2", "1, 2 and 3".</summary>
    internal static string Replicas(IReadOnlyList<int> replicas) =>
        replicas.Count == 1 ? replicas[0].ToString(System.Globalization.CultureInfo.InvariantCulture)
            : $"{string.Join(", ", replicas.Take(replicas.Count - 1))} and {replicas[^1]}";

    private static IEnumerable<string> SetupLines(ExperimentConfig c, bool tiny, ExperimentOverrides? overrides)
    {
        var d = c.Data;
        string sizes = d.Sizes.Count > 0 ? string.Join(", ", d.Sizes.Select(s => $"{s}x{s}")) : $"{d.Nx}x{d.Ny}";
        yield return $"Data: lattice {sizes}, densities {string.Join(", ", d.Densities.Select(Figure.Num))}, Pₜ = {string.Join(", ", d.Tumbles.Select(Figure.Num))}, " +
                     $"{d.Replicas} replicas, {d.Snapshots} snapshots per run after {d.Warmup} warm-up iterations.";
        yield return $"Model {c.Train.Model}, {(c.Train.Epochs is { } e ? $"{e} epoch(s)" : "its recipe's epochs")}, head {c.Train.Head}; " +
                     $"scored on replica {Replicas(c.Train.HoldOutReplicas)}, whose runs are never trained or validated on (validation uses the last part of each training run); seeds {string.Join(", ", c.Seeds)}.";
        yield return "Scores: Pearson r of ln(predicted) against ln(true Pₜ) over single frames (primary), Pearson r on Pₜ, mean |ln error| per frame and per run (a run's estimate pools all its frames).";
        if (tiny) yield return "Tiny version (--tiny): a seconds-long smoke run; its numbers say nothing about the question.";
        if (overrides is { IsEmpty: false })
            yield return $"Scaled from the command line ({string.Join(" ", overrides.Arguments())}); {ConfigFile} holds the config as written, without these.";
    }
}
