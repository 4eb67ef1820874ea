using PepLab.Core;
using PepLab.Store;

namespace PepLab.Learn.Tests;

public class HoldOutReplicaAndCoverageTests
{
    private static RunEntry Run(int id, string file, double tumble, int frames = 10) => new()
    {
        Id = id,
        Path = Path.Combine("d", file),
        Frames = frames,
        Info = new TrajectoryInfo
        {
            Layout = TrajectoryLayout.PepLab, Density = 0.15, DensityRequested = 0.15, Tumble = tumble, Nx = 8, Ny = 8, Particles = 10, Frames = frames,
        },
    };

    [Fact]
    public void ReplicaComesFromTheDataSetFileName()
    {
        Assert.Equal(1, Run(0, "run_d0.15_t0.1_r1.h5", 0.1).Replica);
        Assert.Equal(12, Run(0, "run_d0.15_t0.1_r12.h5", 0.1).Replica);
        Assert.Null(Run(0, "sim.h5", 0.1).Replica);
    }

    [Fact]
    public void HoldOutReplicaValidatesOnExactlyThatReplica()
    {
        var data = TrajectorySet.FromRuns("d",
        [
            Run(0, "run_d0.15_t0.1_r0.h5", 0.1), Run(1, "run_d0.15_t0.1_r1.h5", 0.1), Run(2, "run_d0.15_t0.1_r2.h5", 0.1),
            Run(3, "run_d0.15_t0.3_r0.h5", 0.3), Run(4, "run_d0.15_t0.3_r1.h5", 0.3),
        ]);
        var split = Splitter.Split(data, new SplitOptions { HoldOutReplica = 1 });
        Assert.Equal([1, 4], split.HeldOutRuns);
        Assert.Equal([1, 4], split.Validation.Runs.Select(r => r.Run.Id));
        Assert.Equal([0, 2, 3], split.Train.Runs.Select(r => r.Run.Id));
        Assert.Contains("replica 1", split.Description);
        var e = Assert.Throws<PepLabInputException>(() => Splitter.Split(data, new SplitOptions { HoldOutReplica = 7 }));
        Assert.Contains("replica 7", e.Message);
        Assert.Throws<PepLabInputException>(() => Splitter.Split(data, new SplitOptions { Kind = SplitKind.Time, HoldOutReplica = 1 }));
    }

    [Fact]
    public void CoverageCountsFramesAndRunsInsideTheIntervals()
    {
        // Target ln P_t; truth ln 0.1. Frame errors of 0.5, 1.0, 2.0 sigma (sigma 1): the 50% interval (z 0.674) holds one,
        // the 90% interval (z 1.645) two. Run 1's mean error is 0 with sigma 1: inside both.
        double t = Math.Log(0.1);
        var p = new Predictions
        {
            Runs = [0, 0, 0, 1, 1],
            Frames = [0, 1, 2, 0, 1],
            Truth = [0.1, 0.1, 0.1, 0.1, 0.1],
            Target = [t + 0.5, t - 1.0, t + 2.0, t + 3, t - 3],
            Sigma = [1, 1, 1, 1, 1],
            Tumble = [0, 0, 0, 0, 0],
        };
        var c = Coverage.Of(p, TargetTransform.Log)!;
        Assert.Equal(0.5, c[0].Nominal);
        Assert.Equal(1.0 / 5, c[0].PerFrame, 12);
        Assert.Equal(2.0 / 5, c[1].PerFrame, 12);
        // Run 0: mean error 0.5 (inside 90%, outside 50%? 0.5 < 0.674: inside both). Run 1: mean error 0: inside both.
        Assert.Equal(1.0, c[0].PerRun, 12);
        Assert.Equal(2, c[1].Runs);
        Assert.Null(Coverage.Of(p with { Sigma = null }, TargetTransform.Log));
    }
}

public class Rolls13Tests
{
    [Fact]
    public void Rolls13ShiftsBothAxesByOneOfTheOriginalsThirteenRolls()
    {
        Assert.Equal(AugmentKind.Rolls13, Augmentation.Parse("rolls13"));
        var augment = Augmentation.Create(AugmentKind.Rolls13)!;
        var random = new Random(5);
        var seen = new HashSet<int>();
        const int n = 128;
        for (int k = 0; k < 400; k++)
        {
            var frame = new byte[n * n];
            frame[0] = 1;
            augment(frame, n, n, random);
            int at = Array.IndexOf(frame, (byte)1);
            Assert.Equal(1, frame.Count(b => b != 0));
            int row = at / n, column = at % n;
            Assert.Equal(row, column);
            Assert.Equal(0, row % 10);
            seen.Add(row);
        }
        Assert.Equal(Enumerable.Range(0, 13).Select(i => 10 * i).ToHashSet(), seen);
    }
}
