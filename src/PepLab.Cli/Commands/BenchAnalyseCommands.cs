using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
        var densities = Option("--densities", "Comma-separated densities to measure.", "0.15,0.3");
        var tumble = Option("--tumble", "Tumbling probability P_t of the simulated runs.", 0.0725, "-t");
        var nx = Option("--nx", "Lattice rows.", 128);
        var ny = Option("--ny", "Lattice columns.", 128);
        var count = Option("--frames", "Frames taken from each simulated run (one every 10 iterations after 500 warm-up iterations).", 100);
        var seconds = Option("--seconds", "Seconds to measure each case.", 2.0);
        var noCompare = Flag("--no-compare", "Do not time scipy.ndimage.label (python3 with numpy and scipy) on the same frames.");
        var cmd = new Command("clusters",
            "Frames per second of PepLab's periodic cluster labelling (single thread) on frames of a simulated run, " +
            "next to scipy.ndimage.label alone (no periodic merge) on the same frames when python3-scipy is installed.");
        foreach (var o in new Option[] { densities, tumble, nx, ny, count, seconds, noCompare }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("bench clusters", () =>
        {
            var ds = ParseList(r.GetValue(densities)!, "--densities");
            int n = r.GetValue(count);
            double secs = r.GetValue(seconds);
            if (n < 1) throw new PepLabInputException("--frames", "must be at least 1");
            if (secs <= 0) throw new PepLabInputException("--seconds", "must be positive");
            var lattice = new Lattice(r.GetValue(nx), r.GetValue(ny));
            string? python = r.GetValue(noCompare) ? null : FindPython("numpy", "scipy");

            var table = new Table().AddColumns("density", "clusters", "frames/s", "us/frame", "+ properties", "scipy us/frame", "vs scipy");
            foreach (var c in table.Columns.Skip(1)) c.RightAligned();
            foreach (double density in ds)
            {
                var p = new RunParameters { Density = density, Tumble = r.GetValue(tumble), Nx = lattice.Nx, Ny = lattice.Ny, Interval = 10 }.Validate();
                Console.Error.WriteLine($"bench clusters: simulating {lattice} at density {Num(density)}, P_t = {Num(p.Tumble)} ({n} frames)...");
                var frames = SimulatedFrames(p, n);
                var labeller = new ClusterLabeller(lattice);
                double clusters = frames.Average(f => { labeller.Compute(f); return labeller.ClusterCount; });
                double plain = TimePerFrame(frames, secs, f => labeller.Compute(f));
                double props = TimePerFrame(frames, secs / 2, f => labeller.Compute(f, properties: true));
                double? scipy = python is null ? null : ScipyPerFrame(python, lattice, frames, secs);
                table.AddRow(Num(density), $"{clusters:0}", $"{1 / plain:0}", $"{plain * 1e6:0.0}", $"{props * 1e6:0.0}",
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
            var series = TestSeries(n, 2024);
            SteadyState exact = new(SteadyStateMethod.Exact), lags = new(SteadyStateMethod.ExactIncreasingLags), fast = new(SteadyStateMethod.Fast);
            double tExact = TimeCall(secs, () => exact.Compute(series));
            double tLags = TimeCall(secs, () => lags.Compute(series));
            double tFast = TimeCall(secs, () => fast.Compute(series));
            (double Exact, double Lags, int T0Exact, int T0Lags)? py = null;
            string? python = r.GetValue(noCompare) ? null : FindPython("numpy", "pymbar");
            if (python is not null) py = PymbarTimes(python, series);

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

    /// <summary>Frames of one simulated run: 500 warm-up iterations, then one frame every <c>interval</c> iterations.</summary>
    private static List<byte[]> SimulatedFrames(RunParameters p, int count)
    {
        var sim = new PepSimulator(p.Lattice, p.Density, p.Tumble, 12345);
        for (int i = 0; i < 500; i++) sim.Iterate(p.Speed);
        var frames = new List<byte[]>();
        for (int k = 0; k < count; k++)
        {
            for (int i = 0; i < p.EffectiveInterval; i++) sim.Iterate(p.Speed);
            frames.Add(sim.Frame.ToArray());
        }
        return frames;
    }

    /// <summary>Seconds per frame of <paramref name="label"/>, cycling over the frames for about <paramref name="seconds"/> (after a warm-up pass).</summary>
    private static double TimePerFrame(List<byte[]> frames, double seconds, Action<byte[]> label)
    {
        foreach (var f in frames) label(f);
        long done = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            foreach (var f in frames) label(f);
            done += frames.Count;
        }
        return clock.Elapsed.TotalSeconds / done;
    }

    /// <summary>Seconds per call, repeating for about <paramref name="seconds"/> (at least 3 calls, after one warm-up call).</summary>
    private static double TimeCall(double seconds, Action call)
    {
        call();
        int calls = 0;
        var clock = Stopwatch.StartNew();
        while (calls < 3 || clock.Elapsed.TotalSeconds < seconds)
        {
            call();
            calls++;
        }
        return clock.Elapsed.TotalSeconds / calls;
    }

    /// <summary>An exponential relaxation (amplitude 10, time 50 points) on top of AR(1) noise (phi 0.8).</summary>
    internal static double[] TestSeries(int n, ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        var x = new double[n];
        double ar = 0;
        for (int t = 0; t < n; t++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            double gauss = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            ar = 0.8 * ar + gauss;
            x[t] = 10 * Math.Exp(-t / 50.0) + ar;
        }
        return x;
    }

    private static double[] ParseList(string text, string option)
    {
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0 && v <= 1))
                throw new PepLabInputException(option, $"'{part}' is not a density in (0, 1]");
            values.Add(v);
        }
        if (values.Count == 0) throw new PepLabInputException(option, "needs at least one density");
        return values.ToArray();
    }

    /// <summary>A python3 that imports <paramref name="modules"/>, or null.</summary>
    private static string? FindPython(params string[] modules)
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var (code, _) = RunPython(candidate, $"import {string.Join(", ", modules)}", 60);
                if (code == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    private static (int Code, string Output) RunPython(string python, string script, int timeoutSeconds)
    {
        string file = Path.Combine(Path.GetTempPath(), $"peplab-bench-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script);
        try
        {
            var psi = new ProcessStartInfo(python, [file]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"timed out after {timeoutSeconds} s");
            }
            return (p.ExitCode, p.ExitCode == 0 ? stdout.Result : stderr.Result);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double? ScipyPerFrame(string python, Lattice lattice, List<byte[]> frames, double seconds)
    {
        string data = Path.Combine(Path.GetTempPath(), $"peplab-bench-{Guid.NewGuid():N}.u8");
        try
        {
            using (var f = File.Create(data))
                foreach (var frame in frames) f.Write(frame);
            string script = $$"""
                import time, numpy as np
                from scipy import ndimage
                frames = np.fromfile({{PyString(data)}}, dtype=np.uint8).reshape(-1, {{lattice.Nx}}, {{lattice.Ny}})
                for f in frames: ndimage.label(f)
                done = 0
                start = time.perf_counter()
                while time.perf_counter() - start < {{seconds.ToString(CultureInfo.InvariantCulture)}}:
                    for f in frames: ndimage.label(f)
                    done += len(frames)
                print(repr((time.perf_counter() - start) / done))
                """;
            var (code, output) = RunPython(python, script, (int)(seconds * 10 + 60));
            if (code != 0)
            {
                Console.Error.WriteLine($"bench clusters: scipy timing failed: {output.Trim()}");
                return null;
            }
            return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(data);
        }
    }

    private static (double Exact, double Lags, int T0Exact, int T0Lags)? PymbarTimes(string python, double[] series)
    {
        string data = Path.Combine(Path.GetTempPath(), $"peplab-bench-{Guid.NewGuid():N}.f64");
        try
        {
            File.WriteAllBytes(data, System.Runtime.InteropServices.MemoryMarshal.AsBytes(series.AsSpan()).ToArray());
            string script = $$"""
                import time, numpy as np
                from pymbar import timeseries
                x = np.fromfile({{PyString(data)}}, dtype='<f8')
                def clock(fast):
                    calls, start = 0, time.perf_counter()
                    while calls < 2 or time.perf_counter() - start < 2.0:
                        t = timeseries.detectEquilibration(x, fast=fast, nskip=1)[0]
                        calls += 1
                    return (time.perf_counter() - start) / calls, int(t)
                a, ta = clock(False)
                b, tb = clock(True)
                print(repr(a), repr(b), ta, tb)
                """;
            var (code, output) = RunPython(python, script, 600);
            if (code != 0)
            {
                Console.Error.WriteLine($"bench equilibrate: pymbar timing failed: {output.Trim()}");
                return null;
            }
            var f = output.Trim().Split(' ');
            return (double.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(data);
        }
    }

    private static string PyString(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
