using System.CommandLine;
using PepLab.Experiments;
using PepLab.Learn;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary>Shows an experiment's steps on the terminal: progress bars on stderr, info lines unless quiet.</summary>
internal sealed class CliHost(bool quiet) : IExperimentHost
{
    public void Info(string line)
    {
        if (!quiet) Console.Error.WriteLine(line);
    }

    public T Step<T>(string title, double total, string unit, Func<Action<double>, T> work) =>
        Progress.Run(quiet, title, total, unit, work);

    public T Train<T>(int epochs, Func<TrainingProgress, T> work) => EpochProgress.Run(quiet, epochs, work);

    public CancellationToken Cancellation => Cli.Cancellation;
}

/// <summary><c>pep quickstart</c>: a small sweep, its clusters, a model trained and scored, and a report.</summary>
internal static class QuickstartCommand
{
    public static Command Build()
    {
        var defaults = new QuickstartOptions();
        var output = PathOption("--out", $"Folder for the data, the model and the report (default: {defaults.Out}/; re-running reuses its data).", "-o");
        var nx = OptionalOption<int>("--nx", $"Lattice rows (default {defaults.Nx}).");
        var ny = OptionalOption<int>("--ny", $"Lattice columns (default {defaults.Ny}).");
        var snapshots = OptionalOption<int>("--snapshots", $"Snapshots per run (default {defaults.Snapshots}).");
        var epochs = OptionalOption<int>("--epochs", $"Training epochs (default {defaults.Epochs}).");
        var seed = OptionalOption<ulong>("--seed", $"Seed of the simulations and of training (default {defaults.Seed}).");
        var jobs = JobsOption("Simulations and analyses");
        var threads = ThreadsOption();
        var tiny = Flag("--tiny", "A seconds-long preset: 32x32, 40 snapshots after 100 warm-up iterations, one epoch (other options still override it).");
        var quiet = Flag("--quiet", "No progress bars or step lines; print only the report's path.", "-q");
        var cmd = new Command("quickstart",
            "Simulate a small sweep (density 0.15, the five even P_t, two replicas), measure its clusters and steady states, " +
            "train PepLab's default model on replica 0, score it on replica 1, and write a report (report.md, report.html, results.json).");
        foreach (var o in new Option[] { output, nx, ny, snapshots, epochs, seed, jobs, threads, tiny, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("quickstart", () =>
        {
            // Re-running reuses the folder's data, so existing files are expected there.
            string dir = CheckOutputFolder("--out", r.GetValue(output) ?? defaults.Out, overwrite: true);
            var o = r.GetValue(tiny) ? QuickstartOptions.Tiny(dir) : defaults with { Out = dir };
            o = o with
            {
                Nx = r.GetValue(nx) ?? o.Nx,
                Ny = r.GetValue(ny) ?? o.Ny,
                Snapshots = r.GetValue(snapshots) ?? o.Snapshots,
                Epochs = r.GetValue(epochs) ?? o.Epochs,
                Seed = r.GetValue(seed) ?? o.Seed,
                Jobs = Jobs(r, jobs),
                Threads = Threads(r, threads),
            };
            var host = new CliHost(r.GetValue(quiet));
            var (report, results) = Quickstart.Run(o, host);
            host.Info($"held-out replica: Pearson r = {StudyStages.F(results.Pearson)}, R^2 = {StudyStages.F(results.R2)}, MAE = {StudyStages.F(results.Mae, "0.#####")} over {results.TestFrames} frames");
            Console.WriteLine(report);
            return Ok;
        }));
        return cmd;
    }
}
