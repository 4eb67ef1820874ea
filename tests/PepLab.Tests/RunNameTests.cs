using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

public class RunNameTests
{
    [Theory]
    [InlineData(0.15, 0.0725, 0, "run_d0.15_t0.0725_r0.h5")]
    [InlineData(1e-05, 0.015625, 12, "run_d1e-05_t0.015625_r12.h5")]
    [InlineData(0.5, 1e-05, 3, "run_d0.5_t1E-05_r3.h5")]
    public void FileNamesRoundTrip(double density, double tumble, int replica, string name)
    {
        var run = new RunName(density, tumble, replica);
        Assert.Equal(name, run.FileName);
        Assert.Equal(name, SampleSpec.FileName(density, tumble, replica));
        Assert.True(RunName.TryParse(name, out var parsed));
        Assert.Equal(run, parsed);
        Assert.True(RunName.TryParse("/some/folder/" + name, out parsed));
        Assert.Equal(run, parsed);
        Assert.True(RunName.TryParse(name[..^3], out parsed));
        Assert.Equal(replica, parsed.Replica);
    }

    [Fact]
    public void TheParsedTumbleHasSixSignificantDigits()
    {
        var exact = ParameterGrid.OriginalTumbles()[1];
        Assert.True(RunName.TryParse(new RunName(0.15, exact, 1).FileName, out var parsed));
        Assert.Equal(0.0229646, parsed.Tumble);
        Assert.Equal(1, parsed.Replica);
    }

    [Theory]
    [InlineData("t0.1_r0.h5")]
    [InlineData("run_d0.1_t0.2_r.h5")]
    [InlineData("run_d0.1_t0.2_r-1.h5")]
    [InlineData("run_dx_t0.2_r1.h5")]
    [InlineData("run_d0.1_t0.2_r1.h5.partial")]
    [InlineData("dataset_tumble_0.073_0.15.h5")]
    public void OtherNamesAreNotRuns(string name)
    {
        Assert.False(RunName.TryParse(name, out _));
        Assert.Null(RunName.ReplicaOf(name));
    }
}

public class TrajectoryDiscoveryTests
{
    private static SampleSpec Tiny(double density) => new()
    {
        Densities = [density], Tumbles = [0.2, 0.5], Replicas = 1, Nx = 8, Ny = 8, Warmup = 2, Snapshots = 3, BaseSeed = 4,
    };

    [Fact]
    public void AFolderNamesItsFilesThenItsDataSetsRunsInGridOrder()
    {
        using var dir = new TempDir();
        var a = DataSet.CreateOrResume(dir.File("b-set"), Tiny(0.3));
        Sampler.Run(a, jobs: 1);
        var b = DataSet.CreateOrResume(dir.File("a-set"), Tiny(0.2));
        Sampler.Run(b, jobs: 1);
        // Not runs: a stray file inside a data set, a hidden folder, a temporary file.
        File.Copy(a.PathOf(a.Runs[0]), Path.Combine(a.Folder, "stray.h5"));
        Directory.CreateDirectory(dir.File(".hidden"));
        File.Copy(a.PathOf(a.Runs[0]), dir.File(".hidden/x.h5"));
        File.Copy(a.PathOf(a.Runs[0]), dir.File("loose.h5"));
        File.WriteAllText(dir.File("half.h5" + AtomicFile.TemporarySuffix), "unfinished");

        var files = DataSet.TrajectoryFiles(dir.Path);
        Assert.Equal(
            new[] { dir.File("loose.h5") }.Concat(b.Runs.Select(b.PathOf)).Concat(a.Runs.Select(a.PathOf)).Select(Path.GetFullPath),
            files);
        Assert.Equal(a.Runs.Select(a.PathOf), DataSet.TrajectoryFiles(a.Folder));
        Assert.Equal([Path.GetFullPath(dir.File("loose.h5"))], DataSet.TrajectoryFiles(dir.File("loose.h5")));

        File.Delete(a.PathOf(a.Runs[1]));
        Assert.Equal([a.PathOf(a.Runs[0])], DataSet.TrajectoryFiles(a.Folder));
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Throws<PepLabInputException>(() => DataSet.TrajectoryFiles(dir.File("empty")));
    }
}

public class RunFilterTests
{
    [Fact]
    public void ValuesRangesAndReplicasSelectRuns()
    {
        var filter = new RunFilter(
            Densities: ValueFilter.Parse("0.15", "--densities"),
            Tumbles: ValueFilter.Parse("0.0337,0.1:0.3", "--tumbles"),
            Replicas: ValueFilter.Parse("1", "--replicas"));
        Assert.True(filter.Matches(0.15, ParameterGrid.OriginalTumbles()[2], 1)); // 0.0337519, within 1%
        Assert.True(filter.Matches(0.15, 0.3, 1));                              // a range includes its ends
        Assert.False(filter.Matches(0.15, 0.05, 1));
        Assert.False(filter.Matches(0.3, 0.3, 1));
        Assert.False(filter.Matches(0.15, 0.3, 0));
        Assert.False(filter.Matches(0.15, 0.3, null)); // a file not named by pep sample has no replica
        Assert.True(new RunFilter().IsAll);
        Assert.True(new RunFilter().Matches(0.9, 0.9, null));
        Assert.Equal("--densities 0.15 --tumbles 0.0337,0.1:0.3 --replicas 1", filter.ToString());
    }

    [Fact]
    public void SelectOpensFilesOnlyWhenFilteringAndRefusesAnEmptyResult()
    {
        using var dir = new TempDir();
        var set = DataSet.CreateOrResume(dir.Path, new SampleSpec
        {
            Densities = [0.2], Tumbles = [0.1, 0.4], Replicas = 2, Nx = 8, Ny = 8, Warmup = 1, Snapshots = 2, BaseSeed = 1,
        });
        Sampler.Run(set, jobs: 1);
        var files = DataSet.TrajectoryFiles(dir.Path);
        Assert.Same(files, new RunFilter().Select(files));
        var kept = new RunFilter(Tumbles: ValueFilter.Parse("0.3:0.5", "--tumbles"), Replicas: ValueFilter.Parse("0", "--replicas")).Select(files);
        Assert.Equal([set.PathOf(set.Runs.Single(r => r.Parameters.Tumble == 0.4 && r.Replica == 0))], kept);
        var e = Assert.Throws<PepLabInputException>(() => new RunFilter(Tumbles: ValueFilter.Parse("0.9", "--tumbles")).Select(files));
        Assert.Contains("--tumbles", e.Message);
    }
}
