using System.CommandLine;
using PepLab.Core;
using PepLab.Simulate;
using Spectre.Console;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep bench ...</c>: speed measurements of PepLab's kernels.</summary>
internal static class BenchCommand
{
    public static Command Build()
    {
        var bench = new Command("bench", "Measure PepLab's speed (simulator, ...).");
        bench.Subcommands.Add(BuildSim());
        bench.Subcommands.Add(BenchTrainCommand.Build());
        bench.Subcommands.Add(BenchAnalyseCommands.BuildClusters());
        bench.Subcommands.Add(BenchAnalyseCommands.BuildEquilibrate());
        bench.Subcommands.Add(BenchReadCommand.Build());
        return bench;
    }

    private static Command BuildSim()
    {
        var density = Option("--density", "Particle density.", 0.15, "-d");
        var tumble = Option("--tumble", "Tumbling probability P_t.", 0.0725, "-t");
        var nx = Option("--nx", "Lattice rows.", 128);
        var ny = Option("--ny", "Lattice columns.", 128);
        var seconds = Option("--seconds", "Seconds to measure each case.", 5.0);
        var jobs = JobsOption("Parallel runs for the all-cores case");
        var cmd = new Command("sim", "Particle updates per second of the simulator: one run on one core, then --jobs independent runs in parallel.");
        foreach (var o in new Option[] { density, tumble, nx, ny, seconds, jobs }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("bench sim", () =>
        {
            var p = new RunParameters { Density = r.GetValue(density), Tumble = r.GetValue(tumble), Nx = r.GetValue(nx), Ny = r.GetValue(ny), Interval = 1 }.Validate();
            double secs = r.GetValue(seconds);
            int j = Jobs(r, jobs);
            if (!(secs > 0 && double.IsFinite(secs))) throw new PepLabInputException("--seconds", "must be a positive number");

            Console.Error.WriteLine($"bench sim: {p.Nx}x{p.Ny}, density {Num(p.Density)} (N = {p.Particles}), P_t = {Num(p.Tumble)}; warming up...");
            SimulationBench.UpdatesPerSecond(p, 1, Math.Min(1.0, secs / 4)); // JIT and caches
            double one = SimulationBench.UpdatesPerSecond(p, 1, secs);
            double all = SimulationBench.UpdatesPerSecond(p, j, secs);

            var table = new Table().AddColumns("case", "threads", "M updates/s", "per thread", "vs original C (73 M/s)");
            table.AddRow("single run", "1", $"{one / 1e6:0.0}", $"{one / 1e6:0.0}", $"{one / SimulationBench.OriginalAt015:0.00}x");
            table.AddRow($"{j} parallel runs", $"{j}", $"{all / 1e6:0.0}", $"{all / j / 1e6:0.0}", $"{all / SimulationBench.OriginalAt015:0.00}x");
            AnsiConsole.Write(table);
            Console.WriteLine($"parallel speed-up: {all / one:0.00}x on {j} threads ({Environment.ProcessorCount} cores)");
            return Ok;
        }));
        return cmd;
    }
}
