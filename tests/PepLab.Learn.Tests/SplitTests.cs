using PepLab.Core;
using PepLab.Store;

namespace PepLab.Learn.Tests;

public class SplitTests
{
    private static RunEntry Run(int id, double tumble, int frames = 100, double density = 0.15) => new()
    {
        Id = id,
        Path = $"run{id}.h5",
        Frames = frames,
        Info = new TrajectoryInfo
        {
            Layout = TrajectoryLayout.PepLab, Density = density, DensityRequested = density, Tumble = tumble, Nx = 8, Ny = 8, Particles = 10, Frames = frames,
        },
    };

    private static HashSet<(int, int)> Frames(FrameSet set) =>
        set.Runs.SelectMany(r => r.Ranges.SelectMany(x => Enumerable.Range(x.Start, x.Count)).Select(f => (r.Run.Id, f))).ToHashSet();

    [Fact]
    public void TrajectorySplitHoldsOutWholeReplicas()
    {
        var data = TrajectorySet.FromRuns("d", [Run(0, 0.1), Run(1, 0.1), Run(2, 0.3), Run(3, 0.3), Run(4, 0.3), Run(5, 0.3), Run(6, 0.3)]);
        var split = Splitter.Split(data, new SplitOptions { Fraction = 0.2, Seed = 3 });
        Assert.Empty(split.Warnings);
        var train = Frames(split.Train);
        var val = Frames(split.Validation);
        Assert.Empty(train.Intersect(val));
        Assert.Equal(data.TotalFrames, train.Count + val.Count);
        // Each run is entirely on one side; each group keeps a run on both sides.
        foreach (var r in data.Runs)
            Assert.True(split.HeldOutRuns.Contains(r.Id) ? val.Contains((r.Id, 0)) && !train.Contains((r.Id, 50)) : !val.Contains((r.Id, 0)));
        Assert.Single(split.HeldOutRuns, id => id <= 1);
        Assert.Single(split.HeldOutRuns, id => id >= 2); // round(0.2 * 5) = 1
        Assert.Contains("whole run", split.Description);
    }

    [Fact]
    public void SetAsideReplicasAreNeitherTrainedNorValidatedOn()
    {
        RunEntry Replica(int id, double tumble, int replica) => Run(id, tumble) with { Path = $"run_d0.15_t{tumble}_r{replica}.h5" };
        var data = TrajectorySet.FromRuns("d", [Replica(0, 0.1, 0), Replica(1, 0.1, 1), Replica(2, 0.1, 2), Replica(3, 0.3, 0), Replica(4, 0.3, 1), Replica(5, 0.3, 2)]);
        var split = Splitter.Split(data, new SplitOptions { SetAside = [1, 2], Gap = 10 });
        var used = split.Train.Runs.Concat(split.Validation.Runs).Where(r => r.Ranges.Count > 0).Select(r => r.Run.Id).Distinct().Order();
        Assert.Equal([0, 3], used);
        // One run left per group: it is split in time.
        Assert.Equal([new FrameSpan(80, 20)], split.Validation.Runs.Single(x => x.Run.Id == 0).Ranges);
        Assert.Contains("replica 1, 2 set aside", split.Description);
        Assert.Contains("replica 7", Assert.Throws<PepLabInputException>(() => Splitter.Split(data, new SplitOptions { SetAside = [7] })).Message);
        Assert.Equal("holdOutReplica", Assert.Throws<PepLabInputException>(() => new SplitOptions { SetAside = [1], HoldOutReplica = 1 }.Validate()).Subject);
    }

    [Fact]
    public void SingleRunGroupsFallBackToTimeBlocks()
    {
        var data = TrajectorySet.FromRuns("d", [Run(0, 0.1), Run(1, 0.3)]);
        var split = Splitter.Split(data, new SplitOptions { Fraction = 0.2, Gap = 10 });
        Assert.Contains("one run", split.Description);
        foreach (var r in data.Runs)
        {
            var t = split.Train.Runs.Single(x => x.Run.Id == r.Id).Ranges;
            var v = split.Validation.Runs.Single(x => x.Run.Id == r.Id).Ranges;
            Assert.Equal([new FrameSpan(0, 70)], t);
            Assert.Equal([new FrameSpan(80, 20)], v);
        }
    }

    [Fact]
    public void TimeBlocksKeepTheGapOnBothSides()
    {
        var data = TrajectorySet.FromRuns("d", [Run(0, 0.1, frames: 300), Run(1, 0.3, frames: 300)]);
        var split = Splitter.Split(data, new SplitOptions { Kind = SplitKind.Time, Fraction = 0.2, Gap = 5, Blocks = 3 });
        var train = split.Train.Runs[0].Ranges;
        var val = split.Validation.Runs[0].Ranges;
        Assert.Equal([new FrameSpan(80, 20), new FrameSpan(180, 20), new FrameSpan(280, 20)], val);
        Assert.Equal([new FrameSpan(0, 75), new FrameSpan(105, 70), new FrameSpan(205, 70)], train);
        foreach (var t in train.SelectMany(x => Enumerable.Range(x.Start, x.Count)))
            Assert.True(val.All(v => t < v.Start - 4 || t >= v.End + 5), $"frame {t} within the gap");
    }

    [Fact]
    public void RandomSplitWarnsThatItLeaks()
    {
        var data = TrajectorySet.FromRuns("d", [Run(0, 0.1), Run(1, 0.3)]);
        var split = Splitter.Split(data, new SplitOptions { Kind = SplitKind.Random, Fraction = 0.3 });
        Assert.Contains(Splitter.LeakWarning, split.Warnings);
        Assert.Equal(200, Frames(split.Train).Count + Frames(split.Validation).Count);
        Assert.InRange(Frames(split.Validation).Count, 35, 85);
    }

    [Fact]
    public void FiltersMatchWithinOnePercent()
    {
        var f = ValueFilter.Parse("0.0156,0.3:0.4", "--tumbles");
        Assert.True(f.Matches(0.015625));
        Assert.True(f.Matches(0.34));
        Assert.False(f.Matches(0.0337));
        Assert.Throws<PepLabInputException>(() => ValueFilter.Parse("0.1,abc", "--tumbles"));
        Assert.Throws<PepLabInputException>(() => ValueFilter.Parse("0.5:0.1", "--densities"));
    }

    [Fact]
    public void BadSplitSettingsAreInputErrors()
    {
        var data = TrajectorySet.FromRuns("d", [Run(0, 0.1, frames: 20), Run(1, 0.3, frames: 20)]);
        Assert.Throws<PepLabInputException>(() => Splitter.Split(data, new SplitOptions { Fraction = 1.5 }));
        Assert.Throws<PepLabInputException>(() => Splitter.Split(data, new SplitOptions { Gap = -1 }));
        Assert.Throws<PepLabInputException>(() => SplitOptions.ParseKind("sideways"));
        // Runs too short for the gap leave no training frames.
        Assert.Throws<PepLabInputException>(() => Splitter.Split(data, new SplitOptions { Kind = SplitKind.Time, Gap = 50 }));
    }
}
