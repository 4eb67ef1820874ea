namespace PepLab.Tests;

/// <summary>
/// Every command checks all its options before it creates anything: a refused command leaves no
/// folder, no file and no lock behind, so the corrected command then runs as if the first never had.
/// </summary>
public class ValidateFirstTests
{
    private const string Small = "--nx 8 --ny 8 --snapshots 2 --warmup 1 --quiet";

    private static string OneErrorLine(string err)
    {
        var lines = err.Trim().Split('\n');
        Assert.Single(lines);
        return lines[0];
    }

    [Theory]
    [InlineData("--jobs -1", "--jobs")]
    [InlineData("--task 99", "--task")]
    [InlineData("--slurm --dry-run --runs-per-task 0", "must be at least 1")]
    [InlineData("--slurm --dry-run --cpus-per-task 0", "must be at least 1")]
    [InlineData("--dry-run", "--dry-run: needs --slurm")]
    [InlineData("--partition x", "--partition: needs --slurm")]
    [InlineData("--wait", "--wait: needs --slurm")]
    [InlineData("--slurm --task 0", "--task: conflicts with --slurm")]
    [InlineData("--density 0.1 --densities 0.2", "--density")]
    [InlineData("--compression 12", "0..9")]
    [InlineData("--replicas 0", "must be at least 1")]
    public void SampleRefusesBadOptionsBeforeCreatingTheDataSet(string arguments, string expected)
    {
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"sample {arguments} {Small} --out s1", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains(expected, OneErrorLine(err));
        Assert.False(Directory.Exists(dir.File("s1")), "a refused sample left its folder behind");
        // The corrected command then runs: nothing of the refused one is in its way.
        (code, _, err) = PepCli.Run($"sample {Small} --tumbles 0.25 --out s1", dir.Path);
        Assert.True(code == 0, err);
    }

    [Fact]
    public void SimulateRefusesLatticeOrDensityWithInitAndInitFrameWithoutIt()
    {
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"simulate {Small} --out good.h5", dir.Path);
        Assert.True(code == 0, err);
        foreach (var conflict in new[] { "--nx 64 --ny 64", "--density 0.3" })
        {
            (code, _, err) = PepCli.Run($"simulate --init good.h5 {conflict} --out x.h5 --quiet", dir.Path);
            Assert.Equal(2, code);
            Assert.Contains("--init: conflicts with", OneErrorLine(err));
        }
        (code, _, err) = PepCli.Run($"simulate {Small} --init-frame 0 --out x.h5", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("--init-frame: needs --init", OneErrorLine(err));
        Assert.Equal(["good.h5"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--threads -1", "--threads")]
    [InlineData("--jobs -1", "--jobs")]
    public void ExperimentRefusesBadOptionsBeforeSimulating(string arguments, string expected)
    {
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"experiment steady --tiny --quiet {arguments} --out e1", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains(expected, OneErrorLine(err));
        Assert.False(Directory.Exists(dir.File("e1")));
    }

    [Theory]
    [InlineData("simulate --nx 8 --ny 8 --snapshots 2 --out /proc/peplab/x.h5")]
    [InlineData("plot animate RUN --out /proc/x.gif")]
    [InlineData("plot snapshot RUN --out /proc/x.png")]
    [InlineData("clusters RUN --out /proc/x.csv")]
    [InlineData("equilibrate RUN --out /proc/x.csv")]
    [InlineData("experiment steady --tiny --out /proc/peplab-experiment")]
    [InlineData("quickstart --tiny --out /proc/peplab-quickstart")]
    [InlineData("sample --nx 8 --ny 8 --snapshots 2 --out /proc/peplab-sample")]
    public void AnUnwritableOutputIsOneLineNamingTheOptionAndThePath(string arguments)
    {
        if (!Directory.Exists("/proc/self")) return; // Linux only: /proc takes no new file
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"simulate {Small} --out run.h5", dir.Path);
        Assert.True(code == 0, err);
        (code, _, err) = PepCli.Run(arguments.Replace("RUN", "run.h5") + " --quiet", dir.Path);
        Assert.Equal(2, code);
        string line = OneErrorLine(err);
        Assert.Contains("--out", line);
        Assert.Contains("/proc/", line);
        Assert.DoesNotContain(".partial", line);
    }

    [Theory]
    [InlineData("clusters RUN --out OUT.csv")]
    [InlineData("equilibrate RUN --out OUT.csv")]
    [InlineData("plot snapshot RUN --out OUT.png")]
    [InlineData("plot timeseries RUN --out OUT.png")]
    [InlineData("plot animate RUN --out OUT.gif")]
    public void ExistingOutputIsReplacedOnlyWithOverwrite(string arguments)
    {
        using var dir = new TempDir();
        var (code, _, err) = PepCli.Run($"simulate {Small} --out run.h5", dir.Path);
        Assert.True(code == 0, err);
        string command = arguments.Replace("RUN", "run.h5") + " --quiet";
        string output = dir.File(arguments.Split(' ').Last());
        File.WriteAllText(output, "earlier result");
        (code, _, err) = PepCli.Run(command, dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("--overwrite", OneErrorLine(err));
        Assert.Equal("earlier result", File.ReadAllText(output));
        (code, _, err) = PepCli.Run(command + " --overwrite", dir.Path);
        Assert.True(code == 0, err);
        Assert.NotEqual("earlier result", File.ReadAllText(output));
    }
}
