using System.Diagnostics;
using System.Globalization;
using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>
/// Timing of the analysis kernels (<c>pep bench clusters</c>, <c>pep bench equilibrate</c>) and of the
/// references they are compared with: scipy.ndimage.label and pymbar's detectEquilibration, run by a
/// python3 that has them (none: the comparison is skipped).
/// </summary>
public static class AnalyseBench
{
    /// <summary>
    /// Labelling speed on one lattice's frames: mean clusters per frame, seconds per frame labelling alone
    /// (<see cref="Plain"/>) and with every cluster's properties, and scipy.ndimage.label's seconds per
    /// frame (null when no python3 was given).
    /// </summary>
    public sealed record ClusterTiming(double Clusters, double Plain, double Properties, double? Scipy);

    /// <summary>
    /// Times <see cref="ClusterLabeller"/> on <paramref name="frames"/> of <paramref name="lattice"/> for about
    /// <paramref name="seconds"/> (half that with properties), and scipy.ndimage.label through <paramref name="python"/> when given.
    /// </summary>
    public static ClusterTiming TimeClusters(Lattice lattice, List<byte[]> frames, double seconds, string? python, Action<string>? warn = null)
    {
        var labeller = new ClusterLabeller(lattice);
        double clusters = frames.Average(f => { labeller.Compute(f); return labeller.ClusterCount; });
        double plain = TimePerFrame(frames, seconds, f => labeller.Compute(f));
        double properties = TimePerFrame(frames, seconds / 2, f => labeller.Compute(f, properties: true));
        double? scipy = python is null ? null : ScipyPerFrame(python, lattice, frames, seconds, warn);
        return new ClusterTiming(clusters, plain, properties, scipy);
    }

    /// <summary>One density of <c>pep bench clusters</c>: its lattice and <see cref="ClusterTiming"/> (seconds per frame).</summary>
    public sealed record ClusterBenchRow(double Density, double Tumble, int Nx, int Ny, int Frames, ClusterTiming Timing);

    /// <summary>One method of <c>pep bench equilibrate</c>: its t0, g and N_eff (null where not reported) and seconds per series.</summary>
    public sealed record EquilibrationBenchRow(string Method, int T0, double? G, double? NEff, double SecondsPerSeries);

    /// <summary>The rows of <c>pep bench equilibrate</c>: PepLab's three methods, then pymbar's two when timed.</summary>
    public static IReadOnlyList<EquilibrationBenchRow> EquilibrationRows(EquilibrationTiming t, (double Exact, double Lags, int T0Exact, int T0Lags)? pymbar)
    {
        var rows = new List<EquilibrationBenchRow>
        {
            new("PepLab exact (every lag)", t.Exact.T0, t.Exact.G, t.Exact.NEff, t.TExact),
            new("PepLab increasing lags", t.Lags.T0, t.Lags.G, t.Lags.NEff, t.TLags),
            new("PepLab fast (FFT, coarse-to-fine)", t.Fast.T0, t.Fast.G, t.Fast.NEff, t.TFast),
        };
        if (pymbar is { } p)
        {
            rows.Add(new("pymbar exact (fast=False)", p.T0Exact, null, null, p.Exact));
            rows.Add(new("pymbar default (fast=True)", p.T0Lags, null, null, p.Lags));
        }
        return rows;
    }

    /// <summary>The three detectors' answers on one series and their seconds per series.</summary>
    public sealed record EquilibrationTiming(SteadyState Exact, SteadyState Lags, SteadyState Fast, double TExact, double TLags, double TFast);

    /// <summary>
    /// Times <see cref="SteadyState"/> on <paramref name="series"/> for about <paramref name="seconds"/> each: the exact
    /// method, the exact one with increasing lags, and the fast variant (each left holding its result).
    /// </summary>
    public static EquilibrationTiming TimeEquilibration(double[] series, double seconds)
    {
        SteadyState exact = new(SteadyStateMethod.Exact), lags = new(SteadyStateMethod.ExactIncreasingLags), fast = new(SteadyStateMethod.Fast);
        double tExact = TimeCall(seconds, () => exact.Compute(series));
        double tLags = TimeCall(seconds, () => lags.Compute(series));
        double tFast = TimeCall(seconds, () => fast.Compute(series));
        return new EquilibrationTiming(exact, lags, fast, tExact, tLags, tFast);
    }

    /// <summary>Seconds per frame of <paramref name="label"/>, cycling over the frames for about <paramref name="seconds"/> (after a warm-up pass).</summary>
    public static double TimePerFrame(List<byte[]> frames, double seconds, Action<byte[]> label)
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
    public static double TimeCall(double seconds, Action call)
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
    public static double[] TestSeries(int n, ulong seed)
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

    /// <summary>A python3 that imports <paramref name="modules"/>, or null.</summary>
    public static string? FindPython(params string[] modules)
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

    public static double? ScipyPerFrame(string python, Lattice lattice, List<byte[]> frames, double seconds, Action<string>? warn = null)
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
                warn?.Invoke($"scipy timing failed: {output.Trim()}");
                return null;
            }
            return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(data);
        }
    }

    public static (double Exact, double Lags, int T0Exact, int T0Lags)? PymbarTimes(string python, double[] series, Action<string>? warn = null)
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
                warn?.Invoke($"pymbar timing failed: {output.Trim()}");
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
