using PepLab.Core;
using PepLab.Learn;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

/// <summary>
/// A library names its parameter (<c>holdOutReplica</c>); the command line says which option the
/// user typed (<c>--hold-out-replica</c>) and an experiment which TOML key (<c>train.hold_out_replica</c>).
/// </summary>
public class ParameterNameTests
{
    private const string Baseline = "kind = \"baseline\"\n";

    [Fact]
    public void TheLibraryNamesItsParameter()
    {
        var e = Assert.Throws<PepLabInputException>(() => new SplitOptions { HoldOutReplica = -1 }.Validate());
        Assert.Equal("holdOutReplica", e.Subject);
        Assert.Equal("must be at least 0 (got -1)", e.Problem);
        Assert.True(e.NamesParameter);
    }

    [Fact]
    public void TheSameLibraryErrorNamesTheOptionOnTheCommandLine()
    {
        using var dir = new TempDir();
        var (code, output, error) = Pep.Run($"train \"{dir.File("data")}\" --hold-out-replica -1 --out \"{dir.File("m")}\"");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal("pep train: error: --hold-out-replica: must be at least 0 (got -1)", error.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void TheSameLibraryErrorNamesTheKeyInATomlConfig()
    {
        var config = ExperimentConfig.Parse(Baseline, "my.toml");
        var e = Assert.Throws<PepLabInputException>(() => new SplitOptions { HoldOutReplica = -1 }.Validate());
        Assert.Equal("my.toml: train.hold_out_replica: must be at least 0 (got -1)", config.KeySubject(e).Message);
        Assert.Equal("my.toml: setting[1].hold_out_replica: must be at least 0 (got -1)", config.KeySubject(e, "setting[1].").Message);
    }

    [Theory]
    [InlineData(Baseline + "[train]\nmodel = \"nope\"\n", "my.toml: train.model: unknown model 'nope'")]
    [InlineData("kind = \"steady\"\n[[setting]]\nname = \"a\"\n[[setting]]\nname = \"b\"\nmodel = \"nope\"\n", "my.toml: setting[1].model: unknown model 'nope'")]
    [InlineData(Baseline + "[data]\ndensities = [0.15, 1.5]\n", "my.toml: data.densities must be")]
    [InlineData(Baseline + "[data]\nnx = 8\nny = 8\ndensities = [0.01]\n", "my.toml: data.densities: 0.01 gives zero particles")]
    [InlineData(Baseline + "[train]\nbatch = 1\n", "my.toml: train.batch: must be at least 2 (got 1)")]
    public void AnExperimentIsCheckedWholeBeforeAnythingIsCreated(string text, string expected)
    {
        using var dir = new TempDir();
        string output = dir.File("out");
        var e = Assert.Throws<PepLabInputException>(() => Experiment.Run("x", ExperimentConfig.Parse(text, "my.toml"), text, output, new SilentHost()));
        Assert.StartsWith(expected, e.Message);
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--threads -1", "pep experiment: error: --threads: must be 0 (all cores) or a positive count (got -1)")]
    [InlineData("--jobs -1", "pep experiment: error: --jobs: must be 0 (all cores) or a positive count (got -1)")]
    public void ExperimentOptionsAreCheckedBeforeAnythingIsCreated(string options, string expected)
    {
        using var dir = new TempDir();
        var (code, output, error) = Pep.Run($"experiment steady --tiny {options} --out out", dir.Path);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal(expected, error.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("--threads -1", "pep quickstart: error: --threads: must be 0 (all cores) or a positive count (got -1)")]
    [InlineData("--nx 4", "pep quickstart: error: --nx: must be at least 8 (got 4)")]
    [InlineData("--snapshots 2", "pep quickstart: error: --snapshots: must be at least 8 (got 2)")]
    public void QuickstartOptionsAreCheckedBeforeAnythingIsCreated(string options, string expected)
    {
        using var dir = new TempDir();
        var (code, _, error) = Pep.Run($"quickstart --tiny {options} --out out", dir.Path);
        Assert.Equal(2, code);
        Assert.Equal(expected, error.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
