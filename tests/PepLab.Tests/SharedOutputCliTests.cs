using PepLab.Core;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary>The pep program where outputs are shared: defaults read from the library, two processes on one folder.</summary>
public class SharedOutputCliTests
{
    [Fact]
    public void SimulateWithoutTumbleUsesTheLibraryDefaultAndSaysSo()
    {
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"simulate --nx 8 --ny 8 --snapshots 2 --warmup 1 --out {dir.File("x.h5")} --quiet", dir.Path);
        Assert.True(code == 0, err);
        using (var source = FrameSources.Open(dir.File("x.h5")))
            Assert.Equal(RunParameters.DefaultTumble, source.Info.Tumble);
        var (_, help, _) = PepCli.Run("simulate --help", dir.Path);
        var line = help.Split('\n').Single(l => l.Contains("--tumble"));
        Assert.Contains(RunParameters.DefaultTumble.ToString(System.Globalization.CultureInfo.InvariantCulture), line);
    }

    [Fact]
    public async Task TwoSampleProcessesOnOneFolderEndAsOneSweep()
    {
        using var dir = new TempDir();
        const string grid = "--densities 0.1,0.3 --tumbles 0.05,0.2,0.5 --replicas 2 --nx 12 --ny 12 --snapshots 20 --warmup 10 --seed 3 --quiet";
        var (code, _, err) = PepCli.Run($"sample {grid} --jobs 1 --out {dir.File("single")}", dir.Path);
        Assert.True(code == 0, err);

        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            PepCli.Run($"sample {grid} --jobs 2 --out {dir.File("shared")}", dir.Path))).ToArray();
        var results = await Task.WhenAll(runs);
        foreach (var r in results) Assert.True(r.Code == 0, r.Err);

        var single = DataSet.Open(dir.File("single"));
        var shared = DataSet.Open(dir.File("shared"));
        foreach (var run in single.Runs)
            SameRun.Assert(single.PathOf(run), shared.PathOf(run));
        Assert.Empty(Directory.GetFiles(shared.Folder, "*" + AtomicFile.TemporarySuffix));
        var manifest = File.ReadAllLines(Path.Combine(shared.Folder, DataSet.ManifestFile));
        Assert.Equal(single.Runs.Count + 1, manifest.Length);
        Assert.All(manifest.Skip(1), l => Assert.Contains(",complete,", l));
    }
}
