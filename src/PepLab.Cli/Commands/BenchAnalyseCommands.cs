using System.CommandLine;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Simulate;
using Spectre.Console;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep bench clusters</c> and <c>pep bench equilibrate</c>: speed of the analysis kernels, against SciPy and pymbar when present.</summary>
internal static class BenchAnalyseCommands
{
    public static Command BuildClusters()
    {
        var densities = Option("--densities", "Densities to measure: a grid as in 'pep sample' (a list 0.15,0.3 or START:STOP:STEP).", "0.15,0.3");
        var tumble = Option("--tumble", "Tumbling probability P_t of the simulated runs.", 0.0725, "-t");
        var nx = Option("--nx", "Lattice rows.", 128);
        var ny = Option("--ny", "Lattice columns.", 128);
        var count = Option("--frame-count", "Frames taken from each simulated run (one every 10 iterations after 500 warm-up iterations).", 100);
        var seconds = Option("--seconds", "Seconds to measure each case.", 2.0);
        var noCompare = Flag("--no-compare", "Do not time scipy.ndimage.label (python3 with numpy and scipy) on the same frames.");
        var cmd = new Command("clusters",
            "Frames per second of PepLab's periodic cluster labelling (single thread) on frames of a simulated run, " +
            "next to scipy.ndimage.label alone (no periodic merge) on the same frames when python3-scipy is installed.");
        foreach (var o in new Option[] { densities, tumble, nx, ny, count, seconds, noCompare }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("bench clusters", () =>
        {
            var ds = ParameterGrid.Parse(r.GetValue(densities)!, "--densities");
            int n = r.GetValue(count);
            double secs = r.GetValue(seconds);
            if (n < 1) throw new PepLabInputException("--frame-count", "must be at least 1");
            if (secs <= 0) throw new PepLabInputException("--seconds", "must be positive");
            var lattice = new Lattice(r.GetValue(nx), r.GetValue(ny));
            string? python = r.GetValue(noCompare) ? null : AnalyseBench.FindPython("numpy", "scipy");
            var runs = ds.Select(d => new RunParameters { Density = d, Tumble = r.GetValue(tumble), Nx = lattice.Nx, Ny = lattice.Ny, Interval = 10 }.Validate()).ToList();

            var table = new Table().AddColumns("density", "clusters", "frames/s", "us/frame", "+ properties", "scipy us/frame", "vs scipy");
            foreach (var c in table.Columns.Skip(1)) c.RightAligned();
            foreach (var p in runs)
            {
                Console.Error.WriteLine($"bench clusters: simulating {lattice} at density {Num(p.Density)}, P_t = {Num(p.Tumble)} ({n} frames)...");
                var frames = SimulationBench.Frames(p, n);
                var (clusters, plain, props, scipy) = AnalyseBench.TimeClusters(lattice, frames, secs, python, w => Console.Error.WriteLine($"bench clusters: {w}"));
                table.AddRow(Num(p.Density), $"{clusters:0}", $"{1 / plain:0}", $"{plain * 1e6:0.0}", $"{props * 1e6:0.0}",
                    scipy is { } s ? $"{s * 1e6:0.0}" : "-", scipy is { } s2 ? $"{s2 / plain:0.0}x faster" : "-");
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"{lattice} frames, one thread; clusters = mean clusters per frame; us/frame = labelling with the per-frame statistics; " +
                              "+ properties = also centre of mass, radius of gyration and polarisation of every cluster; scipy = scipy.ndimage.label alone (no periodic merge)");
            if (python is null && !r.GetValue(noCompare))
                Console.WriteLine("scipy comparison skipped: needs python3 with numpy and scipy (apt-get install python3-scipy)");
            Console.WriteLine("target: PepLab's periodic labelling at least as fast per frame as scipy.ndimage.label alone (one thread each)");
            return Ok;
        }));
        return cmd;
    }

    public static Command BuildEquilibrate()
    {
        var points = Option("--points", "Length of the test series.", 1000);
        var seconds = Option("--seconds", "Seconds to measure each method.", 2.0);
        var noCompare = Flag("--no-compare", "Do not time pymbar (python3 with numpy and pymbar) on the same series.");
        var cmd = new Command("equilibrate",
            "Time of equilibration detection on a series (exponential relaxation, then AR(1) noise): the exact method (pymbar's " +
            "answer), pymbar's increasing-lag mode and the fast variant, next to pymbar itself when python3-pymbar is installed.");
        foreach (var o in new Option[] { points, seconds, noCompare }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("bench equilibrate", () =>
        {
            int n = r.GetValue(points);
            double secs = r.GetValue(seconds);
            if (n < Equilibration.MinimumLength) throw new PepLabInputException("--points", $"must be at least {Equilibration.MinimumLength}");
            if (secs <= 0) throw new PepLabInputException("--seconds", "must be positive");
            var series = AnalyseBench.TestSeries(n, 2024);
            var (exact, lags, fast, tExact, tLags, tFast) = AnalyseBench.TimeEquilibration(series, secs);
            (double Exact, double Lags, int T0Exact, int T0Lags)? py = null;
            string? python = r.GetValue(noCompare) ? null : AnalyseBench.FindPython("numpy", "pymbar");
            if (python is not null) py = AnalyseBench.PymbarTimes(python, series, w => Console.Error.WriteLine($"bench equilibrate: {w}"));

            var table = new Table().AddColumns("method", "t0", "g", "N_eff", "ms per series", "vs pymbar exact");
            foreach (var c in table.Columns.Skip(1)) c.RightAligned();
            string Vs(double t) => py is { } p ? $"{p.Exact / t:0}x faster" : "-";
            table.AddRow("PepLab exact (every lag)", $"{exact.T0}", Num(exact.G), $"{exact.NEff:0.##}", $"{tExact * 1e3:0.00}", Vs(tExact));
            table.AddRow("PepLab increasing lags", $"{lags.T0}", Num(lags.G), $"{lags.NEff:0.##}", $"{tLags * 1e3:0.00}", Vs(tLags));
            table.AddRow("PepLab fast (FFT, coarse-to-fine)", $"{fast.T0}", Num(fast.G), $"{fast.NEff:0.##}", $"{tFast * 1e3:0.00}", Vs(tFast));
            if (py is { } q)
            {
                table.AddRow("pymbar exact (fast=False)", $"{q.T0Exact}", "", "", $"{q.Exact * 1e3:0.0}", "1x");
                table.AddRow("pymbar default (fast=True)", $"{q.T0Lags}", "", "", $"{q.Lags * 1e3:0.0}", $"{q.Exact / q.Lags:0.0}x faster");
            }
            AnsiConsole.Write(table);
            if (py is { } z)
                Console.WriteLine($"same t0 as pymbar: exact {(z.T0Exact == exact.T0 ? "yes" : "NO")}, increasing lags {(z.T0Lags == lags.T0 ? "yes" : "NO")}; " +
                                  $"fast variant {(fast.T0 == exact.T0 ? "finds the same t0" : $"finds t0 = {fast.T0}")}");
            else if (!r.GetValue(noCompare))
                Console.WriteLine("pymbar comparison skipped: needs python3 with numpy and pymbar (apt-get install python3-pymbar)");
            Console.WriteLine($"target: fast variant at least 10x faster than pymbar's exact method ({n} points)");
            return Ok;
        }));
        return cmd;
    }
}
