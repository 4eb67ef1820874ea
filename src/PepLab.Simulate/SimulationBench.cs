using System.Diagnostics;
using PepLab.Core;

namespace PepLab.Simulate;

/// <summary>Speed of the simulator (<c>pep bench sim</c>) and frames of a run for the other stages' benchmarks.</summary>
public static class SimulationBench
{
    /// <summary>The original C kernel at 128x128, speed 10, one core: 72-74 M updates/s at density 0.15, 91-93 M at 0.5.</summary>
    public const double OriginalAt015 = 73e6;

    /// <summary>
    /// <c>pep bench sim</c>: after a short warm-up, updates per second of one run on one thread and of
    /// <paramref name="jobs"/> runs in parallel, each measured for about <paramref name="seconds"/>.
    /// </summary>
    public static SimulationBenchResult Measure(RunParameters p, int jobs, double seconds)
    {
        UpdatesPerSecond(p, 1, Math.Min(1.0, seconds / 4)); // JIT and caches
        double one = UpdatesPerSecond(p, 1, seconds);
        double all = UpdatesPerSecond(p, jobs, seconds);
        return new SimulationBenchResult(p.Nx, p.Ny, p.Density, p.Particles, p.Tumble, jobs, Environment.ProcessorCount, seconds, one, all, OriginalAt015);
    }

    /// <summary>
    /// Runs <paramref name="threads"/> independent simulators of <paramref name="p"/> (seeds 1234, 1235, ...) for
    /// about <paramref name="seconds"/>, started together; returns particle updates per second, all threads together.
    /// </summary>
    public static double UpdatesPerSecond(RunParameters p, int threads, double seconds)
    {
        if (threads < 1) throw new PepLabInputException("threads", $"must be at least 1 (got {threads})");
        if (!(seconds > 0)) throw new PepLabInputException("seconds", $"must be positive (got {seconds})");
        var sims = Enumerable.Range(0, threads).Select(i => new PepSimulator(p.Lattice, p.Density, p.Tumble, (ulong)(1234 + i))).ToArray();
        long[] sweeps = new long[threads];
        using var start = new Barrier(threads + 1);
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < deadline)
            {
                sims[i].Iterate(10);
                sweeps[i] += 10;
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        var total = Stopwatch.StartNew();
        start.SignalAndWait();
        total.Restart();
        foreach (var w in workers) w.Join();
        return sweeps.Sum() * (double)p.Particles / total.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// <paramref name="count"/> frames of one run of <paramref name="p"/> (seed 12345): 500 warm-up iterations,
    /// then one frame every <c>EffectiveInterval</c> iterations. Test input for analysis benchmarks.
    /// </summary>
    public static List<byte[]> Frames(RunParameters p, int count)
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
}

/// <summary>What <c>pep bench sim</c> measured: particle updates per second of one run, and of <see cref="Jobs"/> runs together.</summary>
public sealed record SimulationBenchResult(int Nx, int Ny, double Density, int Particles, double Tumble, int Jobs, int Cores, double Seconds,
    double SingleRunUpdatesPerSecond, double ParallelUpdatesPerSecond, double OriginalCUpdatesPerSecond)
{
    public double Speedup => ParallelUpdatesPerSecond / SingleRunUpdatesPerSecond;
}
