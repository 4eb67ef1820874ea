using System.CommandLine;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Simulate;
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
        var json = Output.JsonOption();
        var cmd = new Command("clusters",
            "Frames per second of PepLab's periodic cluster labelling (single thread) on frames of a simulated run, " +
            "next to scipy.ndimage.label alone (no periodic merge) on the same frames when python3-scipy is installed.");
        foreach (var o in new Option[] { densities, tumble, nx, ny, count, seconds, noCompare, json }) cmd.Options.Add(o);
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

            var rows = new List<AnalyseBench.ClusterBenchRow>();
            foreach (var p in runs)
            {
                Console.Error.WriteLine($"bench clusters: simulating {lattice} at density {Num(p.Density)}, P_t = {Num(p.Tumble)} ({n} frames)...");
                var frames = SimulationBench.Frames(p, n);
                rows.Add(new(p.Density, p.Tumble, lattice.Nx, lattice.Ny, n, AnalyseBench.TimeClusters(lattice, frames, secs, python, w => Console.Error.WriteLine($"bench clusters: {w}"))));
            }
            if (r.GetValue(json))
            {
                Output.Json("bench-clusters", new { Rows = rows });
                return Ok;
            }
            var table = new TextTable("density", "clusters", "frames/s", "us/frame", "+ properties", "scipy us/frame", "vs scipy").RightAlignFrom(1);
            foreach (var (density, (clusters, plain, props, scipy)) in rows.Select(x => (x.Density, (x.Timing.Clusters, x.Timing.Plain, x.Timing.Properties, x.Timing.Scipy))))
                table.Row(Num(density), $"{clusters:0}", $"{1 / plain:0}", $"{plain * 1e6:0.0}", $"{props * 1e6:0.0}",
                    scipy is { } s ? $"{s * 1e6:0.0}" : "-", scipy is { } s2 ? $"{s2 / plain:0.0}x faster" : "-");
            table.Show();
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
        var json = Output.JsonOption();
        var cmd = new Command("equilibrate",
            "Time of equilibration detection on a series (exponential relaxation, then AR(1) noise): the exact method (pymbar's " +
            "answer), pymbar's increasing-lag mode and the fast variant, next to pymbar itself when python3-pymbar is installed.");
        foreach (var o in new Option[] { points, seconds, noCompare, json }) cmd.Options.Add(o);
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

            var rows = AnalyseBench.EquilibrationRows(new AnalyseBench.EquilibrationTiming(exact, lags, fast, tExact, tLags, tFast), py);
            if (r.GetValue(json))
            {
                Output.Json("bench-equilibrate", new { Points = n, Rows = rows });
                return Ok;
            }
            var table = new TextTable("method", "t0", "g", "N_eff", "ms per series", "vs pymbar exact").RightAlignFrom(1);
            foreach (var x in rows)
                table.Row(x.Method, $"{x.T0}", x.G is { } g ? Num(g) : "", x.NEff is { } e ? $"{e:0.##}" : "", $"{x.SecondsPerSeries * 1e3:0.00}",
                    py is { } p ? $"{p.Exact / x.SecondsPerSeries:0.0}x faster" : "-");
            table.Show();
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
