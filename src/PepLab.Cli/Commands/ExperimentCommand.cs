using System.CommandLine;
using PepLab.Core;
using PepLab.Experiments;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep experiment NAME</c>: a built-in study from its TOML config, with a report.</summary>
internal static class ExperimentCommand
{
    public static Command Build()
    {
        var name = new Argument<string>("NAME") { Description = $"The experiment: {string.Join(", ", ExperimentConfig.Shipped)}." };
        var config = PathOption("--config", "TOML file describing the experiment (default: the shipped experiments/NAME.toml).", "-c");
        var output = PathOption("--out", "Output folder: data, models, report.md, report.html, results.json, config.toml, rerun.sh (default: experiment-NAME).", "-o");
        var tiny = Flag("--tiny", "A seconds-long smoke version: one seed, lattices of at most 32x32, 24 snapshots, one epoch, at most two densities and three P_t.");
        var densities = PathOption("--densities", "Replace the config's densities: a list (0.1,0.2) or START:STOP:STEP, stop included (0.05:0.5:0.05).");
        var snapshots = OptionalOption<int>("--snapshots", "Replace the config's snapshots per run (at least 8), e.g. to scale a study down on a laptop.");
        var replicas = OptionalOption<int>("--replicas", "Replace the config's replicas per (density, P_t) (at least one more than the replicas held out for scoring, which are never trained on).");
        var jobs = JobsOption("Simulations and analyses");
        var threads = ThreadsOption();
        var quiet = Flag("--quiet", "No progress bars or step lines; print only the report's path.", "-q");
        var slurm = new SlurmFlags("Do not run here: submit the study as SLURM jobs chained with afterok (a sampling job array per data set, a training " +
                                   "job array, then scoring and the report) with scripts in OUT/slurm/. The same command again submits only the unfinished work.", gpu: true);
        var runsPerTask = Option("--runs-per-task", "Runs per sampling array task with --slurm (0 = enough to keep each array at 500 tasks or fewer).", 0);
        var stage = PathOption("--stage", "Run one task of one stage (sample, sample-SIZE, train) as the --slurm job scripts do; needs --task.");
        var task = OptionalOption<int>("--task", "The array task to run with --stage.");
        var cmd = new Command("experiment",
            "Run a built-in experiment (baseline, steady, rolling, mixed-densities, lattice-size, densities) from its TOML config: simulate or reuse data, " +
            "train, score on held-out trajectories, and write a report with a summary of which setting won.");
        cmd.Arguments.Add(name);
        foreach (var o in new Option[] { config, output, tiny, densities, snapshots, replicas, jobs, threads, quiet, runsPerTask, stage, task }) cmd.Options.Add(o);
        slurm.AddTo(cmd);
        cmd.SetAction(r => Guard("experiment", () =>
        {
            string n = r.GetValue(name)!;
            int jobCount = Jobs(r, jobs), threadCount = Threads(r, threads);
            string? path = r.GetValue(config);
            string text;
            if (path is null) text = ExperimentConfig.BuiltIn(n);
            else if (!File.Exists(path)) throw new PepLabInputException(path, "no such config file");
            else text = File.ReadAllText(path);
            var parsed = ExperimentConfig.Parse(text, path ?? $"{n}.toml (built in)");
            if (!ExperimentConfig.Shipped.Contains(n) && path is null)
                throw new PepLabInputException(n, $"is not a built-in experiment ({string.Join(", ", ExperimentConfig.Shipped)})");
            if (ExperimentConfig.Kinds.Contains(n) && parsed.Kind != n)
                throw new PepLabInputException(path ?? n, $"describes kind \"{parsed.Kind}\", not \"{n}\"");
            var overrides = new ExperimentOverrides
            {
                Densities = r.GetValue(densities) is { } d ? ParameterGrid.Parse(d, "densities") : null,
                Snapshots = r.GetValue(snapshots),
                Replicas = r.GetValue(replicas),
            };
            // Re-running on the same folder reuses its finished data and models, so existing files are expected there.
            string folder = CheckOutputFolder("--out", r.GetValue(output) ?? $"experiment-{n}", overwrite: true);
            bool onSlurm = slurm.On(r);
            Needs(r, stage, task);
            Needs(r, task, stage);
            Conflict(r, stage, slurm.Slurm);
            var job = new ExperimentCampaign.Job
            {
                Name = n, Config = parsed, Root = Path.GetFullPath(folder), Tiny = r.GetValue(tiny), Threads = threadCount, RunsPerTask = r.GetValue(runsPerTask),
                Overrides = overrides.IsEmpty ? null : overrides,
            };
            var host = new CliHost(r.GetValue(quiet));
            if (r.GetValue(stage) is { } stageName)
            {
                Console.WriteLine(ExperimentCampaign.RunTask(job, stageName, r.GetValue(task)!.Value, host, jobCount));
                return Ok;
            }
            if (onSlurm) return Submit(r, slurm, job, text);
            var (report, results) = Experiment.Run(n, parsed, text, folder, host,
                r.GetValue(tiny), jobCount, threadCount, overrides);
            host.Info(results.Summary);
            Console.WriteLine(report);
            return Ok;
        }));
        return cmd;
    }

    /// <summary>The study as SLURM jobs; with --wait, the report's path once they have all ended.</summary>
    private static int Submit(ParseResult r, SlurmFlags slurm, ExperimentCampaign.Job job, string configText)
    {
        var submission = ExperimentCampaign.Submit(job, configText, slurm.Options(r), r.GetValue(slurm.DryRun));
        var jobs = slurm.Report(r, "experiment", submission.Scripts, submission.Commands, submission.Jobs, job.Root);
        if (!r.GetValue(slurm.Wait) || jobs.Count == 0) return Ok;
        if (ExperimentCampaign.Unfinished(job) is not { } left)
        {
            Console.WriteLine(Path.Combine(job.Root, "report.html"));
            return Ok;
        }
        Error("experiment", $"the jobs ended with {left} unfinished; read their logs in {Path.Combine(job.Root, SlurmCampaign.FolderName, SlurmCampaign.LogsFolder)} " +
                            "(pep status shows what is missing), then submit the same command again");
        return Failure;
    }
}
