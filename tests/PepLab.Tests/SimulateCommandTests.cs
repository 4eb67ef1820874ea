namespace PepLab.Tests;

public class SimulateCommandTests
{
    [Theory]
    [InlineData("--density 0", "--density")]
    [InlineData("--density 1.5", "--density")]
    [InlineData("--density 0.001 --nx 8 --ny 8", "zero particles")]
    [InlineData("--tumble -0.1", "--tumble")]
    [InlineData("--tumble 1.2", "--tumble")]
    [InlineData("--tumble 0", "--interval")]
    [InlineData("--nx 1", "--nx")]
    [InlineData("--ny 0", "--ny")]
    [InlineData("--speed 0", "--speed")]
    [InlineData("--snapshots 0", "--snapshots")]
    [InlineData("--interval 0", "--interval")]
    [InlineData("--density abc", "abc")]
    [InlineData("--no-such-option", "--no-such-option")]
    public void BadInputIsOneLineExitTwoAndWritesNothing(string arguments, string mentioned)
    {
        using var dir = new TempDir();
        // Small defaults for the options the case does not set itself.
        var defaults = new[] { "--nx 8", "--ny 8", "--snapshots 2", "--warmup 1" }
            .Where(d => !arguments.Contains(d.Split(' ')[0] + " "));
        var (code, _, err) = PepCli.Run($"simulate {arguments} {string.Join(" ", defaults)} --out {dir.File("x.h5")} --quiet", dir.Path);
        Assert.Equal(2, code);
        var lines = err.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(mentioned, lines[0]);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void UnwritableOutputIsOneLineExitTwo()
    {
        using var dir = new TempDir();
        var blocker = dir.File("file");
        File.WriteAllText(blocker, "");
        var (code, _, err) = PepCli.Run($"simulate --nx 8 --ny 8 --snapshots 2 --out {blocker}/sub/x.h5 --quiet", dir.Path);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("--out", err);
    }

    [Fact]
    public void ExistingOutputNeedsOverwrite()
    {
        using var dir = new TempDir();
        var path = dir.File("x.h5");
        var args = $"simulate --nx 8 --ny 8 --snapshots 3 --warmup 2 --seed 4 --out {path} --quiet";
        Assert.Equal(0, PepCli.Run(args, dir.Path).Code);
        var before = File.ReadAllBytes(path);
        var (code, _, err) = PepCli.Run(args.Replace("--seed 4", "--seed 5"), dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("--overwrite", err);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(0, PepCli.Run(args.Replace("--seed 4", "--seed 5") + " --overwrite", dir.Path).Code);
        Assert.NotEqual(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void HelpExplainsEveryOption()
    {
        var (code, output, _) = PepCli.Run("simulate --help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--density", "--tumble", "--nx", "--ny", "--speed", "--warmup", "--snapshots", "--interval", "--seed", "--out", "--overwrite", "--init", "--quiet", "--progress" })
            Assert.Contains(option, output);
    }

    [Fact]
    public void H5pyReadsTheTrajectoryLayout()
    {
        var python = ExternalTools.Python("h5py", "numpy");
        using var dir = new TempDir();
        var path = dir.File("run.h5");
        string args = $"simulate --density 0.25 --tumble 0.1 --nx 12 --ny 20 --warmup 5 --snapshots 7 --seed 31 --out {path} --quiet";
        var (code, _, err) = PepCli.Run(args, dir.Path);
        Assert.True(code == 0, err);
        string version = PepCli.Run("--version").Out.Trim();
        Assert.Contains('+', version);
        var output = ExternalTools.RunPython(python, $$"""
            import h5py, numpy as np
            f = h5py.File(r"{{path}}", "r")
            d = f["frames"]
            assert d.dtype == np.uint8, d.dtype
            assert d.shape == (7, 12, 20), d.shape
            assert d.chunks is not None and d.compression == "gzip", (d.chunks, d.compression)
            x = d[:]
            assert x.max() <= 4 and x.min() >= 0
            n = int(0.25 * 12 * 20)
            assert all((x[k] > 0).sum() == n for k in range(7))
            it = f["iterations"][:]
            assert it.dtype == np.int64 and list(it) == [10 * k for k in range(7)], it
            a = f.attrs
            assert a["format"] == "peplab.trajectory" and a["format_version"] == 1
            assert a["nx"] == 12 and a["ny"] == 20 and a["particles"] == n and a["seed"] == 31
            assert abs(a["density"] - n / 240) < 1e-15 and a["density_requested"] == 0.25 and a["tumble"] == 0.1
            assert a["speed"] == 10 and a["warmup"] == 5 and a["interval"] == 10 and a["generator"] == "xoshiro256**x8 stream 2"
            assert a["peplab_version"] == "{{version}}", a["peplab_version"]
            assert a["command_line"] == "pep {{args}}", a["command_line"]
            import datetime
            datetime.datetime.strptime(a["created_utc"], "%Y-%m-%dT%H:%M:%SZ")
            assert a["host"] == "{{Environment.MachineName}}", a["host"]
            print("ok", x.sum())
            """);
        Assert.StartsWith("ok", output);
    }
}
