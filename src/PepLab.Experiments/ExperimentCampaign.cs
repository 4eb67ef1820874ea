using System.Globalization;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Store;

namespace PepLab.Experiments;

/// <summary>What a submitted (or dry-run) campaign wrote and did.</summary>
/// <param name="Scripts">The batch scripts written.</param>
/// <param name="Stages">Every stage, with what is left of it.</param>
/// <param name="Jobs">The jobs submitted (none for a dry run or when nothing was left).</param>
/// <param name="Commands">The sbatch lines that submit what is left (what a dry run prints).</param>
public sealed record CampaignSubmission(IReadOnlyList<string> Scripts, IReadOnlyList<SlurmStage> Stages, IReadOnlyList<SlurmJobRecord> Jobs,
    IReadOnlyList<string> Commands);

/// <summary>
/// An experiment as a chain of SLURM jobs: a sampling job array per data set, then a training job
/// array (one task per model, seed and setting), then one job that scores the models and writes the
/// report (the experiment itself, which then finds its data and models done and reuses them).
/// Each stage waits for the ones before it (<c>afterok</c>). Submitting the same command again
/// submits only the array tasks whose runs are missing, the trainings not finished (resumed from
/// their last checkpoint) and the report.
/// </summary>
public static class ExperimentCampaign
{
    public const string TrainStage = "train";
    public const string ReportStage = "report";

    /// <summary>The sampling stage of the data set at lattice side <paramref name="side"/>.</summary>
    public static string SampleStage(int? side) => side is { } s ? $"sample-{s.ToString(CultureInfo.InvariantCulture)}" : "sample";

    /// <summary>How the jobs call the experiment: its name, config file in the output folder, and the knobs every job shares.</summary>
    public sealed record Job
    {
        public required string Name { get; init; }
        /// <summary>The config as parsed (before <see cref="Tiny"/> is applied).</summary>
        public required ExperimentConfig Config { get; init; }
        public required string Root { get; init; }
        public bool Tiny { get; init; }
        /// <summary>Threads of each training (results depend on it, so the cluster uses the same as a local run).</summary>
        public int Threads { get; init; } = 1;
        /// <summary>Runs per sampling array task; 0 = as many as keep an array at 500 tasks or fewer.</summary>
        public int RunsPerTask { get; init; }

        /// <summary>--densities, --snapshots, --replicas given on the command line (they win over --tiny's values).</summary>
        public ExperimentOverrides? Overrides { get; init; }

        public ExperimentConfig Effective => Overrides is { } o ? (Tiny ? Config.Tiny() : Config).With(o) : Tiny ? Config.Tiny() : Config;
        public ExperimentKind Kind => ExperimentKind.Of(Config.Kind);

        /// <summary>Runs per sampling task for a data set of <paramref name="runs"/> runs.</summary>
        public int PerTask(int runs) => RunsPerTask > 0 ? RunsPerTask : Math.Max(1, (runs + 499) / 500);
    }

    /// <summary>
    /// Checks everything, writes config.toml, rerun.sh and the scripts, and submits what is left (or,
    /// with <paramref name="dryRun"/>, only writes the scripts and the config they read).
    /// </summary>
    public static CampaignSubmission Submit(Job job, string configText, SlurmOptions options, bool dryRun)
    {
        Experiment.Check(job.Effective, job.Root, 0, job.Threads);
        if (job.RunsPerTask < 0) throw new PepLabInputException("runsPerTask", $"must be 0 (automatic) or at least 1 (got {job.RunsPerTask})");
        var campaign = new SlurmCampaign(job.Root, options);
        if (!dryRun) campaign.RefuseWhileQueued();
        Experiment.WriteInputs(job.Name, configText, job.Root, job.Tiny, job.Overrides);
        var stages = Stages(job, SlurmCampaign.CurrentPepCommand());
        var scripts = campaign.WriteScripts(stages);
        var commands = campaign.SubmitCommands(stages);
        var jobs = dryRun ? [] : campaign.Submit(stages);
        return new CampaignSubmission(scripts, stages, jobs, commands);
    }

    /// <summary>The stages of <paramref name="job"/>, each with what is left of it now.</summary>
    public static IReadOnlyList<SlurmStage> Stages(Job job, string pep)
    {
        var c = job.Effective;
        string common = $"exec {pep} experiment {Provenance.ShellQuote(job.Name)} --config {Provenance.ShellQuote(Path.Combine(job.Root, Experiment.ConfigFile))} " +
                        $"--out {Provenance.ShellQuote(job.Root)}{Experiment.RerunOptions(job.Tiny, job.Overrides)}";
        string threads = job.Threads.ToString(CultureInfo.InvariantCulture);
        var stages = new List<SlurmStage>();
        foreach (var side in job.Kind.DataSides(c))
        {
            string folder = ExperimentContext.DataFolder(job.Root, side);
            int runs = ExperimentContext.Spec(c.Data, side).Plan().Count, per = job.PerTask(runs);
            int tasks = SlurmArray.TaskCount(runs, per);
            var pending = DataSet.IsDataSet(folder) ? SlurmArray.PendingTasks(DataSet.Open(folder), per) : Enumerable.Range(0, tasks).ToList();
            string name = SampleStage(side);
            stages.Add(new SlurmStage
            {
                Name = name,
                Command = $"{common} --stage {name} --task {SlurmStage.TaskIndex} --runs-per-task {per.ToString(CultureInfo.InvariantCulture)} --jobs {SlurmStage.Cores}",
                ArraySize = tasks, Pending = pending,
                Description = $"experiment {job.Name}: sampling {runs} runs into {folder}, {per} per array task",
            });
        }
        var samples = stages.Select(s => s.Name).ToList();
        var trainings = job.Kind.Trainings(c, job.Root);
        if (trainings.Count > 0)
            stages.Add(new SlurmStage
            {
                Name = TrainStage,
                Command = $"{common} --stage {TrainStage} --task {SlurmStage.TaskIndex} --threads {threads}",
                ArraySize = trainings.Count,
                Pending = Enumerable.Range(0, trainings.Count).Where(i => !TrainingJob.IsFinished(trainings[i].Folder)).ToList(),
                Cpus = job.Threads, Gpu = true, After = samples,
                Description = $"experiment {job.Name}: training {trainings.Count} model(s), one per array task ({string.Join(", ", trainings.Select(t => $"{t.Label} seed {t.Seed}").Distinct())})",
            });
        bool allDone = stages.All(s => s.IsDone);
        stages.Add(new SlurmStage
        {
            Name = ReportStage,
            Command = $"{common} --threads {threads} --jobs {SlurmStage.Cores}",
            Done = allDone && File.Exists(Path.Combine(job.Root, Experiment.ResultsFile)),
            Cpus = job.Threads,
            After = [.. samples, TrainStage],
            Description = $"experiment {job.Name}: scoring the models and writing the report into {job.Root}",
        });
        return stages;
    }

    /// <summary>What is left of the campaign ("2 task(s) of sample, the report"), or null when everything, the report included, is done.</summary>
    public static string? Unfinished(Job job)
    {
        var left = Stages(job, "pep").Where(s => !s.IsDone)
            .Select(s => s.IsArray ? $"{s.Pending!.Count} task(s) of {s.Name}" : $"the {s.Name}").ToList();
        return left.Count == 0 ? null : string.Join(", ", left);
    }

    /// <summary>
    /// Runs one array task of a stage (what a job's script calls): a sampling task's runs, or one
    /// training. Returns a line saying what it wrote.
    /// </summary>
    public static string RunTask(Job job, string stage, int task, IExperimentHost host, int jobs)
    {
        var c = job.Effective;
        Experiment.Check(c, job.Root, jobs, job.Threads);
        foreach (var side in job.Kind.DataSides(c))
        {
            if (stage != SampleStage(side)) continue;
            var spec = ExperimentContext.Spec(c.Data, side);
            string folder = ExperimentContext.DataFolder(job.Root, side);
            int per = job.RunsPerTask > 0 ? job.RunsPerTask : job.PerTask(spec.Plan().Count);
            var subset = SlurmArray.RunsOfTask(task, per, spec.Plan().Count);
            var result = StudyStages.Sample(host, folder, spec, jobs, subset);
            return $"task {task}: {result?.Completed ?? 0} run(s) written, {result?.Skipped ?? subset.Count} already complete, into {folder}";
        }
        if (stage != TrainStage)
            throw new PepLabInputException("stage", $"'{stage}' is not a stage of this experiment " +
                                                    $"({string.Join(", ", job.Kind.DataSides(c).Select(SampleStage).Append(TrainStage))})");
        var trainings = job.Kind.Trainings(c, job.Root);
        if (task < 0 || task >= trainings.Count)
            throw new PepLabInputException("task", $"must be in 0..{trainings.Count - 1} for stage {stage} (got {task})");
        var t = trainings[task];
        var data = DataSet.Open(t.Data);
        int missing = data.Runs.Count(r => !data.IsComplete(r));
        if (missing > 0)
            throw new PepLabInputException("stage", $"the data set {t.Data} misses {missing} of {data.Runs.Count} runs; its sampling jobs must end first");
        var ctx = new ExperimentContext(job.Name, c, job.Root, host, Math.Max(1, jobs), job.Threads);
        var trained = ctx.Train(t);
        return $"task {task}: wrote {trained.Folder} ({t.Label}, seed {t.Seed})";
    }
}
