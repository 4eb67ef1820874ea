using PepLab.Core;
using PepLab.Simulate;

namespace PepLab.Tests;

/// <summary>
/// Which frames a run keeps, checked against an independent step-by-step use of the simulator: the
/// original sampler ran <c>warmup</c> iterations, then iterations 0, 1, 2, ... and saved the lattice
/// after iteration <c>it</c> whenever <c>it % interval == 0</c>. A schedule that kept a frame at the
/// wrong iteration while labelling it correctly fails here.
/// </summary>
public class ScheduleTests
{
    private sealed class Recorder : IFrameSink
    {
        public List<(int Index, long Iteration, byte[] Frame)> Frames { get; } = [];

        public void Write(int index, long iteration, ReadOnlySpan<byte> frame) => Frames.Add((index, iteration, frame.ToArray()));
    }

    [Theory]
    [InlineData(0, 1, 5, 1)]
    [InlineData(0, 3, 4, 2)]
    [InlineData(1, 1, 4, 1)]
    [InlineData(5, 2, 6, 3)]
    [InlineData(7, 4, 5, 1)]
    [InlineData(3, 7, 3, 2)]
    public void KeepsTheLatticeAfterEveryIntervalthIterationFollowingTheWarmup(int warmup, int interval, int snapshots, int speed)
    {
        var parameters = new RunParameters
        {
            Nx = 9, Ny = 7, Density = 0.3, Tumble = 0.2, Speed = speed, Warmup = warmup,
            Interval = interval, Snapshots = snapshots, Seed = 1234 + (ulong)(warmup * 31 + interval),
        };
        var kept = new Recorder();
        RunSchedule.Execute(parameters, kept);

        // The same dynamics driven by hand, one iteration at a time, keeping what the original kept.
        var sim = new PepSimulator(parameters.Lattice, parameters.Density, parameters.Tumble, parameters.Seed);
        for (int w = 0; w < warmup; w++) sim.Iterate(speed);
        var expected = new List<(long Iteration, byte[] Frame)>();
        for (long it = 0; expected.Count < snapshots; it++)
        {
            sim.Iterate(speed);
            if (it % interval == 0) expected.Add((it, sim.Frame.ToArray()));
        }

        Assert.Equal(snapshots, kept.Frames.Count);
        for (int k = 0; k < snapshots; k++)
        {
            Assert.Equal(k, kept.Frames[k].Index);
            Assert.Equal(expected[k].Iteration, kept.Frames[k].Iteration);
            Assert.True(expected[k].Frame.AsSpan().SequenceEqual(kept.Frames[k].Frame),
                $"frame {k} (iteration {expected[k].Iteration}) differs from the step-by-step simulation");
        }
        // Neighbouring iterations really differ, so a frame kept one iteration early or late cannot pass.
        var other = new PepSimulator(parameters.Lattice, parameters.Density, parameters.Tumble, parameters.Seed);
        for (int w = 0; w < warmup + 1; w++) other.Iterate(speed);
        other.Iterate(speed);
        Assert.False(other.Frame.SequenceEqual(kept.Frames[0].Frame));
    }
}
