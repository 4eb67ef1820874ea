using System.CommandLine;
using PepLab.Core;
using PepLab.Simulate;
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
        var json = Output.JsonOption();
        var cmd = new Command("sim", "Particle updates per second of the simulator: one run on one core, then --jobs independent runs in parallel.");
        foreach (var o in new Option[] { density, tumble, nx, ny, seconds, jobs, json }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("bench sim", () =>
        {
            var p = new RunParameters { Density = r.GetValue(density), Tumble = r.GetValue(tumble), Nx = r.GetValue(nx), Ny = r.GetValue(ny), Interval = 1 }.Validate();
            double secs = r.GetValue(seconds);
            int j = Jobs(r, jobs);
            if (!(secs > 0 && double.IsFinite(secs))) throw new PepLabInputException("--seconds", "must be a positive number");

            Console.Error.WriteLine($"bench sim: {p.Nx}x{p.Ny}, density {Num(p.Density)} (N = {p.Particles}), P_t = {Num(p.Tumble)}; warming up...");
            var b = SimulationBench.Measure(p, j, secs);
            if (r.GetValue(json))
            {
                Output.Json("bench-sim", b);
                return Ok;
            }
            double one = b.SingleRunUpdatesPerSecond, all = b.ParallelUpdatesPerSecond;
            new TextTable("case", "threads", "M updates/s", "per thread", "vs original C (73 M/s)")
                .Row("single run", "1", $"{one / 1e6:0.0}", $"{one / 1e6:0.0}", $"{one / b.OriginalCUpdatesPerSecond:0.00}x")
                .Row($"{j} parallel runs", $"{j}", $"{all / 1e6:0.0}", $"{all / j / 1e6:0.0}", $"{all / b.OriginalCUpdatesPerSecond:0.00}x")
                .Show();
            Console.WriteLine($"parallel speed-up: {b.Speedup:0.00}x on {j} threads ({b.Cores} cores)");
            return Ok;
        }));
        return cmd;
    }
}
