using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

public class ParameterGridTests
{
    [Fact]
    public void OriginalTumblesAreNumpysLogspace()
    {
        // list(numpy.logspace(-6, -1, 10, base=2)) as printed by Debian 12's numpy 1.24
        double[] numpy =
        [
            0.015625, 0.02296460144180623, 0.03375186684038455, 0.049606282874006244, 0.07290806497350728,
            0.10715549785663409, 0.15749013123685915, 0.23146867807182267, 0.3401975000435943, 0.5,
        ];
        // numpy's vectorised power is off by one unit in the last place for some of these; PepLab's
        // Math.Pow is correctly rounded (checked against 50-digit decimals), so compare to 1e-15.
        static void Close(double[] expected, double[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-15 * expected[i]);
        }
        Close(numpy, ParameterGrid.OriginalTumbles());
        Close([numpy[0], numpy[2], numpy[4], numpy[6], numpy[8]], ParameterGrid.EvenTumbles());
        Close([numpy[1], numpy[3], numpy[5], numpy[7], numpy[9]], ParameterGrid.OddTumbles());
        Assert.Equal(ParameterGrid.OriginalTumbles(), ParameterGrid.Parse("log2:-6:-1:10", "--tumbles"));
        Assert.Equal(0.02296460144180623, ParameterGrid.OriginalTumbles()[1], 1e-17); // correctly rounded: ...228911 -> ...228
    }

    [Fact]
    public void RangesIncludeTheirStopAndAreExactDecimals()
    {
        var d = ParameterGrid.Parse("0.05:0.5:0.05", "--densities");
        Assert.Equal(10, d.Length);
        Assert.Equal(0.15, d[2]);   // never 0.15000000000000002
        Assert.Equal(0.3, d[5]);
        Assert.Equal(0.5, d[^1]);
        Assert.Equal(new[] { 0.1, 0.25 }, ParameterGrid.Parse("0.1, 0.25", "--densities"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0.1,,0.2")]
    [InlineData("a,b")]
    [InlineData("0.1:0.5")]
    [InlineData("0.5:0.1:0.1")]
    [InlineData("0.1:0.5:0")]
    [InlineData("log2:-6:-1")]
    [InlineData("log2:x:-1:10")]
    [InlineData("0.1,0.1")]
    public void MalformedGridsAreRejectedNamingTheOption(string text)
    {
        var e = Assert.Throws<PepLabInputException>(() => ParameterGrid.Parse(text, "--densities"));
        Assert.StartsWith("--densities", e.Message);
    }
}

public class SampleTests
{
    private static SampleSpec Small(ulong seed = 9) => new()
    {
        Densities = [0.1, 0.2], Tumbles = [0.1, 0.3], Replicas = 2, Nx = 16, Ny = 20, Warmup = 5, Snapshots = 6, BaseSeed = seed,
    };

    [Fact]
    public void SweepWritesEveryRunAndAManifestPandasCanRead()
    {
        using var dir = new TempDir();
        var set = DataSet.CreateOrResume(dir.Path, Small());
        var result = Sampler.Run(set, jobs: 2);
        Assert.Equal(8, result.Completed);
        Assert.Empty(result.Failed);
        var lines = File.ReadAllLines(Path.Combine(dir.Path, DataSet.ManifestFile));
        Assert.Equal(string.Join(',', DataSet.ManifestColumns), lines[0]);
        Assert.Equal(9, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",complete,", l));
        foreach (var run in set.Runs)
        {
            using var source = FrameSources.Open(set.PathOf(run));
            Assert.Equal(run.Parameters.Seed, source.Info.Seed);
            Assert.Equal(6, source.Count);
        }
        // seeds differ between replicas and depend only on (base seed, density, P_t, replica)
        Assert.Equal(8, set.Runs.Select(r => r.Parameters.Seed).Distinct().Count());
        Assert.Equal(set.Runs.Select(r => r.Parameters.Seed), Small().Plan().Select(r => r.Parameters.Seed));

        var python = ExternalTools.Python("pandas");
        var output = ExternalTools.RunPython(python, $$"""
            import pandas as pd
            m = pd.read_csv(r"{{Path.Combine(dir.Path, DataSet.ManifestFile)}}")
            assert list(m.columns) == {{"[" + string.Join(",", DataSet.ManifestColumns.Select(c => $"'{c}'")) + "]"}}
            assert len(m) == 8 and (m.status == "complete").all() and (m.bytes > 0).all() and (m.snapshots == 6).all()
            assert sorted(m.density.unique()) == [0.1, 0.2] and sorted(m.tumble.unique()) == [0.1, 0.3]
            print("ok")
            """);
        Assert.StartsWith("ok", output);
    }

    [Fact]
    public void RerunningSkipsCompleteRunsAndRedoesMissingOrDamagedOnes()
    {
        using var dir = new TempDir();
        var set = DataSet.CreateOrResume(dir.Path, Small());
        Sampler.Run(set, jobs: 2);
        var missing = set.Runs[1];
        var damaged = set.Runs[5];
        var untouched = set.Runs[0];
        var stamp = File.GetLastWriteTimeUtc(set.PathOf(untouched));
        File.Delete(set.PathOf(missing));
        var bytes = File.ReadAllBytes(set.PathOf(damaged));
        File.WriteAllBytes(set.PathOf(damaged), bytes[..(bytes.Length / 2)]);
        File.WriteAllText(set.PathOf(set.Runs[3]) + AtomicFile.TemporarySuffix, "left by a killed run");

        var again = DataSet.CreateOrResume(dir.Path, Small());
        var result = Sampler.Run(again, jobs: 2);
        Assert.Equal(2, result.Completed);
        Assert.Equal(6, result.Skipped);
        Assert.True(again.IsComplete(missing));
        Assert.True(again.IsComplete(damaged));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(set.PathOf(untouched)));
    }

    [Fact]
    public void AFolderHoldingAnotherDataSetIsRefusedAndLeftIntact()
    {
        using var dir = new TempDir();
        var set = DataSet.CreateOrResume(dir.Path, Small());
        Sampler.Run(set, jobs: 1);
        var before = Directory.GetFiles(dir.Path).ToDictionary(f => f, File.ReadAllBytes);
        var e = Assert.Throws<PepLabInputException>(() => DataSet.CreateOrResume(dir.Path, Small() with { Snapshots = 7 }));
        Assert.Contains("--snapshots", e.Message);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(dir.Path).Order());
        foreach (var (file, content) in before) Assert.Equal(content, File.ReadAllBytes(file));
    }

    [Fact]
    public void CancellingASweepLeavesNoFileThatLooksComplete()
    {
        using var dir = new TempDir();
        var spec = Small() with { Nx = 64, Ny = 64, Snapshots = 400, Tumbles = [0.02] };
        var set = DataSet.CreateOrResume(dir.Path, spec);
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Sampler.Run(set, 2, progress: p => { if (p.WorkDone > 0.2 * p.WorkTotal) cts.Cancel(); }, cancellation: cts.Token));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.h5"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
        Assert.All(set.Runs, r => Assert.NotEqual("complete", set.StatusOf(r)));
    }

    [Fact]
    public void SlurmTasksSplitTheRunsWithoutOverlap()
    {
        var all = Enumerable.Range(0, SlurmArray.TaskCount(10, 3)).SelectMany(t => SlurmArray.RunsOfTask(t, 3, 10)).ToList();
        Assert.Equal(Enumerable.Range(0, 10), all);
        Assert.Throws<PepLabInputException>(() => SlurmArray.RunsOfTask(4, 3, 10));
    }

    [Fact]
    public void DryRunWritesAJobArrayScript()
    {
        using var dir = new TempDir();
        var (code, output, err) = PepCli.Run($"sample --densities 0.1,0.2 --tumbles 0.1,0.2,0.3 --nx 8 --ny 8 --snapshots 2 --out {dir.Path} --slurm --dry-run --runs-per-task 2 --array-parallel 2 --partition short --time 00:05:00");
        Assert.True(code == 0, err);
        var script = File.ReadAllText(Path.Combine(dir.Path, "slurm", "sample.sbatch"));
        Assert.Contains("#SBATCH --array=0-2%2", script);
        Assert.Contains("#SBATCH --partition=short", script);
        Assert.Contains("#SBATCH --time=00:05:00", script);
        Assert.Contains("--task \"$SLURM_ARRAY_TASK_ID\" --runs-per-task 2", script);
        Assert.Contains("sbatch --parsable --array=0-2%2", output);
        // The script carries the grid: the dry run writes it and nothing else; the first task creates the data set.
        Assert.Equal(["slurm"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Equal(["sample.sbatch"], Directory.GetFileSystemEntries(Path.Combine(dir.Path, "slurm")).Select(Path.GetFileName));
        Assert.Contains("sample --densities 0.1,0.2 --tumbles 0.1,0.2,0.3 --nx 8 --ny 8 --snapshots 2 --out ", script);
        Assert.Contains("sbatch", output);
    }

    [Theory]
    [InlineData("--densities 0.1:0.5", "--densities")]
    [InlineData("--tumbles log2:1:2", "--tumbles")]
    [InlineData("--densities 0.1,2", "--density")]
    [InlineData("--replicas 0", "--replicas")]
    [InlineData("--density 0.1 --densities 0.1,0.2", "--density")]
    public void BadSampleInputIsOneLineExitTwo(string arguments, string mentioned)
    {
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"sample {arguments} --nx 8 --ny 8 --snapshots 2 --out {dir.File("set")} --quiet");
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(mentioned, err);
        Assert.False(Directory.Exists(dir.File("set")));
    }

    [Fact]
    public void TwoSweepsOnOneFolderSplitTheRunsAndEndAsOneSweep()
    {
        using var dir = new TempDir();
        var single = DataSet.CreateOrResume(dir.File("single"), Small());
        Sampler.Run(single, jobs: 1);

        // Two sweeps started together on one folder, each through its own DataSet (as two processes would).
        string shared = dir.File("shared");
        var results = new SweepResult[2];
        var sweeps = Enumerable.Range(0, 2).Select(k => new Thread(() =>
            results[k] = Sampler.Run(DataSet.CreateOrResume(shared, Small()), jobs: 2))).ToList();
        foreach (var t in sweeps) t.Start();
        foreach (var t in sweeps) t.Join();

        Assert.All(results, r => Assert.Empty(r.Failed));
        // Every run was simulated by exactly one of them; the other left it.
        Assert.Equal(single.Runs.Count, results.Sum(r => r.Completed));
        Assert.All(results, r => Assert.Equal(single.Runs.Count, r.Completed + r.Taken + r.Skipped));
        var set = DataSet.Open(shared);
        foreach (var run in set.Runs)
        {
            Assert.Equal("complete", set.StatusOf(run, verify: true));
            SameRun.Assert(single.PathOf(run), set.PathOf(run));
        }
        Assert.Empty(Directory.GetFiles(shared, "*" + AtomicFile.TemporarySuffix));
        Assert.True(single.Spec.SameRunsAs(set.Spec));
    }

    [Fact]
    public void ARunAnotherProcessIsWritingIsLeftToIt()
    {
        using var dir = new TempDir();
        var set = DataSet.CreateOrResume(dir.Path, Small());
        var busy = set.Runs[2];
        // Hold the lock of the run's temporary file as another writer would.
        using (var other = AtomicFile.Create(set.PathOf(busy)))
        {
            var result = Sampler.Run(set, jobs: 2);
            Assert.Equal(set.Runs.Count - 1, result.Completed);
            Assert.Equal(1, result.Taken);
            Assert.Empty(result.Failed);
            Assert.False(File.Exists(set.PathOf(busy)));
            Assert.Equal("incomplete", set.StatusOf(busy));
        }
        var again = Sampler.Run(set, jobs: 1);
        Assert.Equal(1, again.Completed);
        Assert.True(set.IsComplete(busy));
    }
}
