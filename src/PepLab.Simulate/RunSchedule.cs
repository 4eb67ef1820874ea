using PepLab.Core;

namespace PepLab.Simulate;

/// <summary>Progress of one run: iterations done out of the total (warm-up included).</summary>
public readonly record struct RunProgress(long IterationsDone, long IterationsTotal, int SnapshotsDone);

/// <summary>
/// Drives a <see cref="PepSimulator"/> through the original sampler's schedule: <c>warmup</c>
/// iterations, then iterations 0, 1, 2, ... with a snapshot kept whenever
/// <c>iteration % interval == 0</c>, until <c>snapshots</c> frames are kept. The original ran
/// <c>snapshots * interval</c> iterations after warm-up; the last <c>interval - 1</c> of them come
/// after the last kept snapshot and change nothing stored, so they are not simulated.
/// </summary>
public static class RunSchedule
{
    /// <summary>Runs <paramref name="parameters"/> and hands every snapshot to <paramref name="sink"/>.</summary>
    /// <param name="parameters">The validated run.</param>
    /// <param name="sink">Receives the snapshots in order.</param>
    /// <param name="initialFrame">Optional start configuration (continue a run); its particle count replaces the density's.</param>
    /// <param name="progress">Called after every iteration-batch with the progress so far.</param>
    /// <param name="cancellation">Stops the run between iterations.</param>
    /// <returns>The simulator in its final state.</returns>
    public static PepSimulator Execute(
        RunParameters parameters,
        IFrameSink sink,
        ReadOnlyMemory<byte>? initialFrame = null,
        Action<RunProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        parameters.Validate();
        var lattice = parameters.Lattice;
        var sim = initialFrame is { } frame
            ? new PepSimulator(lattice, frame.Span, parameters.Tumble, parameters.Seed)
            : new PepSimulator(lattice, parameters.Density, parameters.Tumble, parameters.Seed);

        int interval = parameters.EffectiveInterval;
        long total = parameters.Warmup + (long)(parameters.Snapshots - 1) * interval + 1;
        long done = 0;
        // Report roughly every 1/200 of the run, at least once per iteration batch of ~1e6 updates.
        long reportEvery = Math.Max(1, Math.Min(total / 200, 1 + 2_000_000 / ((long)parameters.Speed * sim.Particles)));

        void Step()
        {
            cancellation.ThrowIfCancellationRequested();
            sim.Iterate(parameters.Speed);
            done++;
        }

        for (int w = 0; w < parameters.Warmup; w++)
        {
            Step();
            if (done % reportEvery == 0) progress?.Invoke(new RunProgress(done, total, 0));
        }

        for (int k = 0; k < parameters.Snapshots; k++)
        {
            int steps = k == 0 ? 1 : interval;
            for (int s = 0; s < steps; s++)
            {
                Step();
                if (done % reportEvery == 0) progress?.Invoke(new RunProgress(done, total, k));
            }
            sink.Write(k, parameters.IterationOf(k), sim.Frame);
        }
        progress?.Invoke(new RunProgress(total, total, parameters.Snapshots));
        return sim;
    }
}
