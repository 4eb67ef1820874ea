using System.Globalization;
using PepLab.Core;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary><c>pep export legacy</c>: the original layout exactly, checked with h5py/numpy and by reading it back.</summary>
public class LegacyExportTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExportedFilesAreTheOriginalLayoutForH5py(bool rolled)
    {
        string python = ExternalTools.Python("h5py", "numpy");
        using var dir = new TempDir();
        string source = dir.File("run.h5");
        var info = LegacyFixtures.Simulate(source, density: 0.15, tumble: 0.0725, nx: 12, ny: 20, snapshots: 6);
        byte[] frames;
        long[] iterations;
        using (var reader = FrameSources.Open(source))
        {
            frames = LegacyFixtures.AllFrames(reader);
            iterations = reader.Iterations.ToArray();
        }
        File.WriteAllBytes(dir.File("expected.bin"), frames);
        string output = dir.File("legacy");
        var args = new List<string> { "export", "legacy", source, "--out", output, "--quiet" };
        if (rolled) args.Add("--rolled");
        var (code, _, err) = LegacyFixtures.RunPep(args.ToArray());
        Assert.True(code == 0, err);

        string name = "dataset_tumble_0.072_0.15.h5";
        Assert.Equal([name, LegacyFormat.RecordsFile], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        string its = string.Join(",", iterations);
        ExternalTools.RunPython(python, $$"""
            import h5py, numpy as np
            rolled = {{(rolled ? "True" : "False")}}
            its = [{{its}}]
            expected = np.fromfile("{{dir.File("expected.bin")}}", dtype=np.uint8).reshape(len(its), 12, 20)
            with h5py.File("{{Path.Combine(output, name)}}", "r") as f:
                names = {f"conf_{it}" for it in its}
                if rolled:
                    names |= {f"conf_{it}_{r}" for it in its for r in range(0, 130, 10)}
                assert set(f.keys()) == names, sorted(set(f.keys()) ^ names)
                assert len(f.attrs) == 0
                for k, it in enumerate(its):
                    d = f[f"conf_{it}"]
                    assert d.dtype == np.dtype("<i4") and d.shape == (12, 20), (d.dtype, d.shape)
                    img = d[()]
                    assert (img == expected[k]).all()
                    if rolled:
                        for r in range(0, 130, 10):
                            c = f[f"conf_{it}_{r}"]
                            assert c.dtype == np.uint8 and c.shape == (12, 20), (c.dtype, c.shape)
                            assert (c[()] == np.roll(img, (r, r), axis=(0, 1)).astype(np.uint8)).all(), (it, r)
            """);

        // round trip through PepLab's own reader: the same frames and iterations
        using var back = FrameSources.Open(Path.Combine(output, name));
        var legacy = Assert.IsType<LegacyReader>(back);
        Assert.Equal(rolled ? 13 * iterations.Length : 0, legacy.RolledCopies);
        Assert.Equal(frames, LegacyFixtures.AllFrames(back));
        Assert.Equal(iterations, back.Iterations);
        Assert.Equal(info.Interval, back.Info.Interval);
        Assert.Equal(info.Particles, back.Info.Particles);
        Assert.Equal(0.15, back.Info.DensityRequested);
        Assert.Equal(0.072, back.Info.Tumble);

        Assert.Equal($",tumble,n_iter,density,speed\n0,0.0725,{6 * info.Interval},0.15,2\n",
            File.ReadAllText(Path.Combine(output, LegacyFormat.RecordsFile)));
    }

    [Fact]
    public void FolderExportAppendsRecordsAndRoundTrips()
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        double arangeDensity = 3 * 0.05; // 0.15000000000000002
        var a = LegacyFixtures.Simulate(Path.Combine(data, "a.h5"), density: arangeDensity, tumble: 0.015625, nx: 10, ny: 14, snapshots: 4, seed: 1);
        var b = LegacyFixtures.Simulate(Path.Combine(data, "b.h5"), density: 0.3, tumble: 0.5, nx: 10, ny: 14, snapshots: 5, seed: 2);
        File.WriteAllText(Path.Combine(data, "notes.txt"), "not a trajectory");
        string output = dir.File("out");

        var items = LegacyExport.Plan(DataSet.TrajectoryFiles(data), output, overwrite: false);
        Assert.Equal(["dataset_tumble_0.016_0.15000000000000002.h5", "dataset_tumble_0.500_0.3.h5"],
            items.Select(i => Path.GetFileName(i.Target)));
        var written = new List<TrajectoryInfo>();
        foreach (var item in items)
        {
            int last = 0;
            long bytes = LegacyExport.Export(item, rolled: false, n => last = n, TestContext.Current.CancellationToken);
            Assert.Equal(item.Info.Frames, last);
            Assert.Equal(new FileInfo(item.Target).Length, bytes);
            written.Add(item.Info);
        }
        LegacyExport.AppendRecords(output, written);
        LegacyExport.AppendRecords(output, written[..1]); // a second call appends, no second header
        Assert.Equal(
            ",tumble,n_iter,density,speed\n" +
            $"0,0.015625,{4 * 64},0.15000000000000002,2\n" +
            "1,0.5,10,0.3,2\n" +
            $"0,0.015625,{4 * 64},0.15000000000000002,2\n",
            File.ReadAllText(Path.Combine(output, LegacyFormat.RecordsFile)));

        string pandas = ExternalTools.Python("pandas");
        string check = ExternalTools.RunPython(pandas, $$"""
            import pandas as pd
            r = pd.read_csv(r"{{Path.Combine(output, LegacyFormat.RecordsFile)}}", index_col=0, float_precision="round_trip")
            assert list(r.columns) == ["tumble", "n_iter", "density", "speed"], list(r.columns)
            assert list(r.index) == [0, 1, 0]
            assert r.density.iloc[0] == 0.15000000000000002 and r.density.iloc[1] == 0.3
            assert list(r.n_iter) == [256, 10, 256] and list(r.speed) == [2, 2, 2]
            print("ok")
            """);
        Assert.StartsWith("ok", check);

        foreach (var (item, info) in items.Zip(new[] { a, b }))
        {
            using var original = FrameSources.Open(item.Source);
            using var exported = FrameSources.Open(item.Target);
            Assert.Equal(LegacyFixtures.AllFrames(original), LegacyFixtures.AllFrames(exported));
            Assert.Equal(original.Iterations, exported.Iterations);
            Assert.Equal(info.DensityRequested, exported.Info.DensityRequested); // 0.15000000000000002 survives exactly
            Assert.Equal(info.Particles, exported.Info.Particles);
        }
        Assert.Empty(Directory.GetFiles(output, "*.partial"));
    }

    [Fact]
    public void CollisionsAndExistingFilesFailBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        LegacyFixtures.Simulate(Path.Combine(data, "r1.h5"), tumble: 0.1, snapshots: 3, seed: 1);
        LegacyFixtures.Simulate(Path.Combine(data, "r2.h5"), tumble: 0.1, snapshots: 3, seed: 2); // a replica: same legacy name
        string output = dir.File("out");
        var (code, _, err) = LegacyFixtures.RunPep("export", "legacy", data, "--out", output, "-q");
        Assert.Equal(2, code);
        Assert.Contains("r2.h5", err);
        Assert.Contains("dataset_tumble_0.100_0.15.h5", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(output));

        File.Delete(Path.Combine(data, "r2.h5"));
        Assert.Equal(0, LegacyFixtures.RunPep("export", "legacy", data, "--out", output, "-q").Code);
        string target = Path.Combine(output, "dataset_tumble_0.100_0.15.h5");
        var before = File.ReadAllBytes(target);
        string records = File.ReadAllText(Path.Combine(output, LegacyFormat.RecordsFile));
        (code, _, err) = LegacyFixtures.RunPep("export", "legacy", data, "--out", output, "-q", "--rolled");
        Assert.Equal(2, code);
        Assert.Contains("exists", err);
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(records, File.ReadAllText(Path.Combine(output, LegacyFormat.RecordsFile)));

        Assert.Equal(0, LegacyFixtures.RunPep("export", "legacy", data, "--out", output, "-q", "--rolled", "--overwrite").Code);
        using var rolled = Assert.IsType<LegacyReader>(FrameSources.Open(target));
        Assert.Equal(13 * 3, rolled.RolledCopies);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, LegacyFormat.RecordsFile)).Length);
    }

    [Fact]
    public void AnIncompleteWriterLeavesNoFile()
    {
        using var dir = new TempDir();
        string path = dir.File("dataset_tumble_0.100_0.15.h5");
        using (var w = LegacyWriter.Create(path, [0, 10, 20], 4, 6, rolled: true))
        {
            w.Write(0, new byte[24]);
            Assert.True(File.Exists(w.PartialPath));
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.Throws<InvalidOperationException>(() =>
        {
            using var w = LegacyWriter.Create(path, [0, 10], 4, 6, rolled: false);
            w.Write(1, new byte[24]);
        });
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
