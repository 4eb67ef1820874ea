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
        var replicas = OptionalOption<int>("--replicas", "Replace the config's replicas per (density, P_t) (at least 2; one is held out for scoring).");
        var jobs = JobsOption("Simulations and analyses");
        var threads = ThreadsOption();
        var quiet = Flag("--quiet", "No progress bars or step lines; print only the report's path.", "-q");
        var cmd = new Command("experiment",
            "Run a built-in experiment (baseline, steady, rolling, mixed-densities, lattice-size, densities) from its TOML config: simulate or reuse data, " +
            "train, score on held-out trajectories, and write a report with a summary of which setting won.");
        cmd.Arguments.Add(name);
        foreach (var o in new Option[] { config, output, tiny, densities, snapshots, replicas, jobs, threads, quiet }) cmd.Options.Add(o);
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
            var host = new CliHost(r.GetValue(quiet));
            var (report, results) = Experiment.Run(n, parsed, text, folder, host,
                r.GetValue(tiny), jobCount, threadCount, overrides);
            host.Info(results.Summary);
            Console.WriteLine(report);
            return Ok;
        }));
        return cmd;
    }
}
