using PepLab.Core;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary>Reading the original layout, with files written by h5py as the original sampler wrote them.</summary>
public class LegacyReaderTests
{
    private const int Nx = 12, Ny = 20, Frames = 20, Step = 7;

    /// <summary>
    /// Writes original-layout files with h5py (datasets created in shuffled order, so that neither
    /// creation nor name order is iteration order) and the expected frames as raw uint8.
    /// </summary>
    private static void WriteWithH5py(string folder)
    {
        string python = ExternalTools.Python("h5py", "numpy");
        ExternalTools.RunPython(python, $$"""
            import h5py, numpy as np
            rng = np.random.default_rng(3)
            nx, ny, n, step = {{Nx}}, {{Ny}}, {{Frames}}, {{Step}}
            occupied = rng.random((n, nx, ny)) < 0.2
            frames = np.where(occupied, rng.integers(1, 5, (n, nx, ny)), 0).astype(np.int32)
            iterations = [k * step for k in range(n)]
            frames.astype(np.uint8).tofile("expected.bin")
            order = rng.permutation(n)

            def write(name, rolled=False, dtype=np.int32, extra=None, libver="earliest"):
                with h5py.File(name, "w", libver=libver) as f:
                    for k in order:
                        img = frames[k]
                        f.create_dataset(f"conf_{iterations[k]}", data=img.astype(dtype))
                        if rolled:
                            for r in range(0, 130, 10):
                                f.create_dataset(f"conf_{iterations[k]}_{r}", data=np.roll(img, (r, r), axis=(0, 1)).astype(np.uint8))
                    if extra:
                        extra(f)

            write(f"dataset_tumble_{0.0725:.3f}_{np.arange(0, 0.55, 0.05)[3]}.h5")
            write(f"dataset_tumble_{0.34:.3f}_{0.3}.h5", rolled=True)
            write("dataset_tumble_0.200_0.1.h5", dtype=np.uint8)
            write("dataset_tumble_0.200_0.2.h5", dtype=np.int64)
            write("dataset_tumble_0.200_0.3.h5", rolled=True, libver="latest")  # new-style (dense) link storage
            write("not_a_legacy_name.h5")
            with h5py.File("dataset_tumble_0.100_0.2.h5", "w") as f:
                f.create_dataset("x", data=np.zeros((3, 3)))
            with h5py.File("dataset_tumble_0.100_0.25.h5", "w") as f:
                f.create_dataset("conf_0", data=np.full((nx, ny), 7, dtype=np.int32))
            with h5py.File("dataset_tumble_0.100_0.3.h5", "w") as f:
                f.create_dataset("conf_0", data=np.zeros((nx, ny), dtype=np.float64))
            with h5py.File("dataset_tumble_0.100_0.35.h5", "w") as f:
                f.create_dataset("conf_0", data=np.ones((nx, ny), dtype=">i4"))
            """, folder);
    }

    private static void AssertMatches(IFrameSource source, byte[] expected)
    {
        Assert.Equal(TrajectoryLayout.Legacy, source.Info.Layout);
        Assert.Equal(Nx, source.Info.Nx);
        Assert.Equal(Ny, source.Info.Ny);
        Assert.Equal(Frames, source.Count);
        Assert.Equal(Frames, source.Info.Frames);
        Assert.Equal(Enumerable.Range(0, Frames).Select(k => (long)k * Step), source.Iterations);
        Assert.Equal(Step, source.Info.Interval);
        Assert.Equal(expected.Take(Nx * Ny).Count(v => v != 0), source.Info.Particles);
        Assert.Equal(expected, LegacyFixtures.AllFrames(source));
        // frame by frame and in blocks give the same
        Assert.Equal(expected.AsSpan(5 * Nx * Ny, Nx * Ny).ToArray(), source.ReadFrame(5));
        Assert.Equal(expected.AsSpan((Frames - 1) * Nx * Ny, Nx * Ny).ToArray(), source.ReadFrame(-1));
    }

    [Fact]
    public void ReadsH5pyFilesOfBothVariants()
    {
        using var dir = new TempDir();
        WriteWithH5py(dir.Path);
        var expected = File.ReadAllBytes(dir.File("expected.bin"));

        using (var unrolled = FrameSources.Open(dir.File("dataset_tumble_0.072_0.15000000000000002.h5")))
        {
            AssertMatches(unrolled, expected);
            Assert.Equal(0.072, unrolled.Info.Tumble);
            Assert.Equal(3 * 0.05, unrolled.Info.DensityRequested);
            Assert.Equal((double)unrolled.Info.Particles / (Nx * Ny), unrolled.Info.Density);
            Assert.Equal(0, Assert.IsType<LegacyReader>(unrolled).RolledCopies);
        }
        using (var rolled = FrameSources.Open(dir.File("dataset_tumble_0.340_0.3.h5")))
        {
            AssertMatches(rolled, expected); // rolled copies are never frames
            Assert.Equal(0.34, rolled.Info.Tumble);
            Assert.Equal(0.3, rolled.Info.DensityRequested);
            var legacy = Assert.IsType<LegacyReader>(rolled);
            Assert.Equal(13 * Frames, legacy.RolledCopies);
            Assert.Equal(LegacyFormat.Rolls, legacy.Rolls);
        }
        using (var bytes = FrameSources.Open(dir.File("dataset_tumble_0.200_0.1.h5"))) AssertMatches(bytes, expected);
        using (var longs = LegacyReader.Open(dir.File("dataset_tumble_0.200_0.2.h5"))) AssertMatches(longs, expected);
        using (var dense = FrameSources.Open(dir.File("dataset_tumble_0.200_0.3.h5"))) AssertMatches(dense, expected);
    }

    [Fact]
    public void BadFilesGiveOneLineErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        WriteWithH5py(dir.Path);
        void Fails(string name, string expected)
        {
            string path = dir.File(name);
            var e = Assert.Throws<BadFileException>(() => FrameSources.Open(path).Dispose());
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Fails("not_a_legacy_name.h5", "name does not parse");
        Fails("dataset_tumble_0.100_0.2.h5", "neither a PepLab trajectory nor an original layout file");
        Fails("dataset_tumble_0.100_0.25.h5", "value 7");
        Fails("dataset_tumble_0.100_0.3.h5", "not an integer frame");
        Fails("dataset_tumble_0.100_0.35.h5", "conf_0 cannot be read"); // big-endian: PureHDF does not convert byte order

        // an original rolled file cut in half, as an interrupted copy leaves it
        var whole = File.ReadAllBytes(dir.File("dataset_tumble_0.340_0.3.h5"));
        File.WriteAllBytes(dir.File("dataset_tumble_0.340_0.4.h5"), whole[..(whole.Length / 2)]);
        Fails("dataset_tumble_0.340_0.4.h5", "truncated");
    }

    [Fact]
    public void TruncatedAndForeignFilesAreRefusedWithoutPython()
    {
        using var dir = new TempDir();
        string peplab = dir.File("run.h5");
        LegacyFixtures.Simulate(peplab);
        var whole = File.ReadAllBytes(peplab);
        foreach (int cut in new[] { whole.Length / 2, whole.Length - 1, 40 })
        {
            string path = dir.File($"cut{cut}.h5");
            File.WriteAllBytes(path, whole[..cut]);
            var e = Assert.Throws<BadFileException>(() => FrameSources.Open(path).Dispose());
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        string text = dir.File("dataset_tumble_0.100_0.15.h5");
        File.WriteAllText(text, "conf_0,conf_1\n1,2\n");
        Assert.Contains("not an HDF5 file", Assert.Throws<BadFileException>(() => FrameSources.Open(text).Dispose()).Message);
        string empty = dir.File("empty.h5");
        File.WriteAllBytes(empty, []);
        Assert.Contains("not an HDF5 file", Assert.Throws<BadFileException>(() => FrameSources.Open(empty).Dispose()).Message);
        Assert.Contains("no such file", Assert.Throws<BadFileException>(() => FrameSources.Open(dir.File("missing.h5"))).Message);

        // an HDF5 file of neither layout, and a legacy file under a name that does not parse (both written by PepLab)
        string other = dir.File("other.h5");
        new PureHDF.H5File { ["x"] = new double[] { 1, 2, 3 } }.Write(other);
        Assert.Contains("neither a PepLab trajectory nor an original layout file",
            Assert.Throws<BadFileException>(() => FrameSources.Open(other).Dispose()).Message);
        string badName = dir.File("dataset_tumble_0.1_0.15_copy.h5");
        using (var w = LegacyWriter.Create(badName, [0, 5], 4, 6, rolled: false))
        {
            w.Write(0, new byte[24]);
            w.Write(1, new byte[24]);
            w.Complete();
        }
        Assert.Contains("does not parse", Assert.Throws<BadFileException>(() => FrameSources.Open(badName).Dispose()).Message);
    }

    [Fact]
    public void CliExitsWithCode2AndOneLineOnBadFiles()
    {
        using var dir = new TempDir();
        string path = dir.File("dataset_tumble_0.100_0.15.h5");
        File.WriteAllText(path, "not hdf5");
        foreach (var args in new[]
                 {
                     new[] { "dataset", "info", path },
                     new[] { "export", "legacy", path, "--out", dir.File("out") },
                     new[] { "bench", "read", path, "--repeat", "1" },
                 })
        {
            var (code, _, err) = LegacyFixtures.RunPep(args);
            Assert.Equal(2, code);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.Contains(path, lines[0]);
            Assert.Contains("not an HDF5 file", lines[0]);
        }
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void IterationSpacingGivesTheIntervalOnlyWhenRegular()
    {
        Assert.Equal(13, LegacyReader.RegularSpacing([0, 13, 26, 39]));
        Assert.Null(LegacyReader.RegularSpacing([0, 13, 27]));
        Assert.Null(LegacyReader.RegularSpacing([5]));
    }
}
