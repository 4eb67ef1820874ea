using System.Text.Json;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

public class DatasetInfoTests
{
    [Fact]
    public void SummarisesAFolderOfBothLayouts()
    {
        using var dir = new TempDir();
        var a = LegacyFixtures.Simulate(dir.File("a.h5"), density: 0.15, tumble: 0.1, nx: 12, ny: 20, snapshots: 8, seed: 1);
        LegacyFixtures.Simulate(dir.File("b.h5"), density: 0.3, tumble: 0.5, nx: 12, ny: 20, snapshots: 6, seed: 2);
        var legacyItem = LegacyExport.Plan([dir.File("b.h5")], dir.File("legacy"), false)[0];
        LegacyExport.Export(legacyItem, rolled: true, cancellation: TestContext.Current.CancellationToken);
        File.Move(legacyItem.Target, dir.File(Path.GetFileName(legacyItem.Target)));
        File.Delete(dir.File("b.h5"));
        File.WriteAllText(dir.File("junk.h5"), "junk");
        File.WriteAllText(dir.File("c.h5.partial"), "half");

        var s = DatasetSummary.Of(dir.Path, cancellation: TestContext.Current.CancellationToken);
        Assert.Equal(2, s.Runs.Count);
        Assert.Equal(["legacy-rolled", "peplab"], s.Layouts);
        Assert.Equal([0.15, 0.3], s.Densities);
        Assert.Equal([0.1, 0.5], s.Tumbles);
        Assert.Equal([(12, 20)], s.Lattices);
        Assert.Equal(14, s.Frames);
        Assert.Equal(14L * 12 * 20, s.RawBytes);
        long bytes = new FileInfo(dir.File("a.h5")).Length + new FileInfo(dir.File(Path.GetFileName(legacyItem.Target))).Length;
        Assert.Equal(bytes, s.Bytes);
        Assert.Equal((double)s.RawBytes / bytes, s.CompressionRatio);
        Assert.Single(s.Problems);
        Assert.Contains("junk.h5", s.Problems[0].File);
        Assert.Single(s.Incomplete);
        var peplab = s.Runs.Single(r => r.LayoutName == "peplab");
        Assert.Equal(a.Particles, peplab.Particles);
        Assert.Equal(8.0 * 240 / new FileInfo(dir.File("a.h5")).Length, peplab.CompressionRatio, 12);
        var legacy = s.Runs.Single(r => r.LayoutName == "legacy-rolled");
        Assert.True(legacy.CompressionRatio < 0.25); // int32 and 13 rolled copies: bigger than raw uint8

        // the CLI reports the unreadable file and exits 2, but still summarises the rest
        var (code, stdout, err) = LegacyFixtures.RunPep("dataset", "info", dir.Path, "--json");
        Assert.Equal(2, code);
        Assert.Contains("junk.h5", err);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetProperty("runs").GetInt32());
        Assert.Equal(14, json.RootElement.GetProperty("frames").GetInt64());
        Assert.Equal(bytes, json.RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void APepLabDataSetShowsItsPlannedRunsAndExportsItsCompleteOnes()
    {
        using var dir = new TempDir();
        var spec = new SampleSpec { Densities = [0.1, 0.2], Tumbles = [0.25], Replicas = 1, Nx = 10, Ny = 14, Warmup = 2, Snapshots = 4, BaseSeed = 3 };
        var set = DataSet.CreateOrResume(dir.Path, spec);
        Sampler.Run(set, jobs: 1, subset: [0], cancellation: TestContext.Current.CancellationToken);

        var s = DatasetSummary.Of(dir.Path, cancellation: TestContext.Current.CancellationToken);
        Assert.Single(s.Runs);
        Assert.Empty(s.Problems);
        Assert.NotNull(s.PlannedStatus);
        Assert.Equal(1, s.PlannedStatus!["complete"]);
        Assert.Equal(1, s.PlannedStatus["pending"]);

        var (code, stdout, err) = LegacyFixtures.RunPep("dataset", "info", dir.Path);
        Assert.True(code == 0, err);
        Assert.Contains("2 planned runs: 1 complete, 1 pending", stdout);

        (code, _, err) = LegacyFixtures.RunPep("export", "legacy", dir.Path, "--out", dir.File("legacy"), "-q");
        Assert.True(code == 0, err);
        Assert.Equal(["dataset_tumble_0.250_0.1.h5", LegacyFormat.RecordsFile],
            Directory.GetFiles(dir.File("legacy")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SummarisesASingleFileAsTableAndJson()
    {
        using var dir = new TempDir();
        var info = LegacyFixtures.Simulate(dir.File("run.h5"), density: 0.2, tumble: 0.25, nx: 10, ny: 16, snapshots: 5);
        var (code, stdout, err) = LegacyFixtures.RunPep("dataset", "info", dir.File("run.h5"), "--json");
        Assert.True(code == 0, err);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("peplab", root.GetProperty("layouts")[0].GetString());
        Assert.Equal(0.2, root.GetProperty("densities")[0].GetDouble());
        Assert.Equal(0.25, root.GetProperty("tumbles")[0].GetDouble());
        Assert.Equal(10, root.GetProperty("lattices")[0][0].GetInt32());
        Assert.Equal(16, root.GetProperty("lattices")[0][1].GetInt32());
        Assert.Equal(5, root.GetProperty("frames").GetInt32());
        var file = root.GetProperty("files")[0];
        Assert.Equal(info.Particles, file.GetProperty("particles").GetInt32());
        Assert.Equal(info.Interval, file.GetProperty("interval").GetInt32());
        long bytes = new FileInfo(dir.File("run.h5")).Length;
        Assert.Equal(5.0 * 160 / bytes, root.GetProperty("compression_ratio").GetDouble(), 12);

        (code, stdout, err) = LegacyFixtures.RunPep("dataset", "info", dir.File("run.h5"), "--runs");
        Assert.True(code == 0, err);
        Assert.Contains("compression ratio", stdout);
        Assert.Contains("10x16", stdout);

        (code, _, err) = LegacyFixtures.RunPep("dataset", "info", dir.File("nothing"));
        Assert.Equal(2, code);
        Assert.Contains("no such file or folder", err);
    }
}
