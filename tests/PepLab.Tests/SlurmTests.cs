using PepLab.Store;

namespace PepLab.Tests;

/// <summary>
/// A sweep as a real SLURM job array on a one-node cluster (.ci/slurm-up starts one on localhost).
/// Skipped without SLURM, a failure with PEPLAB_REQUIRE_TOOLS=1.
/// </summary>
public class SlurmTests
{
    [Fact]
    public void JobArrayFillsTheDataSetAndResubmittingRedoesOnlyMissingRuns()
    {
        ExternalTools.RequireSlurm();
        using var dir = new TempDir();
        var cluster = Path.Combine(dir.Path, "cluster");
        var local = Path.Combine(dir.Path, "local");
        const string grid = "--densities 0.1,0.2 --tumbles 0.1,0.3 --nx 32 --ny 32 --snapshots 20 --warmup 10 --seed 3";

        var (code, output, err) = PepCli.Run($"sample {grid} --out {cluster} --slurm --array-parallel 2 --wait", dir.Path);
        Assert.True(code == 0, $"{output}\n{err}");
        Assert.Contains("submitted sample job", output);
        Assert.True(File.Exists(Path.Combine(cluster, "slurm", "sample.sbatch")));

        var set = DataSet.Open(cluster);
        Assert.Equal(4, set.Runs.Count);
        Assert.All(set.Runs, run => Assert.True(set.IsComplete(run), run.File));
        var manifest = File.ReadAllLines(Path.Combine(cluster, DataSet.ManifestFile));
        Assert.Equal(5, manifest.Length);
        Assert.All(manifest.Skip(1), line => Assert.Contains(",complete,", line));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(cluster, "slurm", "logs"), "sample-*.out"));

        // Seeds are derived from the base seed and each run's parameters: the same sweep run here is identical.
        Assert.Equal(0, PepCli.Run($"sample {grid} --out {local} --quiet", dir.Path).Code);
        foreach (var run in set.Runs)
        {
            using var a = FrameSources.Open(Path.Combine(cluster, run.File));
            using var b = FrameSources.Open(Path.Combine(local, run.File));
            Assert.Equal(b.Frames().Select(f => f.Frame.ToArray()), a.Frames().Select(f => f.Frame.ToArray()));
        }

        // A lost run is redone by submitting again; complete runs are left alone.
        var lost = set.Runs[2];
        var keptStamp = File.GetLastWriteTimeUtc(set.PathOf(set.Runs[0]));
        File.Delete(set.PathOf(lost));
        (code, output, err) = PepCli.Run($"sample --out {cluster} --slurm --wait", dir.Path);
        Assert.True(code == 0, $"{output}\n{err}");
        Assert.Contains("(array tasks 2)", output);
        Assert.True(set.IsComplete(lost));
        Assert.Equal(keptStamp, File.GetLastWriteTimeUtc(set.PathOf(set.Runs[0])));
    }
}
