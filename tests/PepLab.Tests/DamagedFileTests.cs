namespace PepLab.Tests;

/// <summary>
/// Every reading command refuses every kind of damaged or invalid trajectory file
/// (<see cref="DamagedTrajectories"/>) the same way: exit code 2, one line on stderr naming the file,
/// no stack trace, nothing on stdout and no output left behind. Files PepLab writes are still read.
/// </summary>
[Collection(nameof(InProcessPepCollection))]
public class DamagedFileTests
{
    /// <summary>The reading commands of this project's CLI (predict and train: PepLab.Learn.Tests), {0} the file, {1} an output folder.</summary>
    public static readonly string[][] ReadingCommands =
    [
        ["clusters", "{0}", "--out", "{1}/clusters.csv", "--quiet"],
        ["equilibrate", "{0}", "--out", "{1}/equilibrate.csv", "--quiet"],
        ["plot", "snapshot", "{0}", "--out", "{1}/snapshot.png", "--quiet"],
        ["plot", "timeseries", "{0}", "--out", "{1}/timeseries.png", "--quiet"],
        ["dataset", "info", "{0}", "--quiet"],
        ["export", "legacy", "{0}", "--out", "{1}/legacy", "--quiet"],
        ["simulate", "--init", "{0}", "--snapshots", "2", "--interval", "1", "--warmup", "0", "--seed", "3", "--out", "{1}/continued.h5", "--quiet"],
    ];

    public static TheoryData<string> KindNames => new(DamagedTrajectories.Kinds.Select(k => k.Name));

    [Fact]
    public void TheGeneratorWritesAtLeastTwentyKinds() =>
        Assert.True(DamagedTrajectories.Kinds.Select(k => k.Name).Distinct().Count() >= 20);

    [Theory]
    [MemberData(nameof(KindNames))]
    public void EveryReadingCommandRefusesTheFileInOneLine(string kind)
    {
        using var dir = new TempDir();
        string file = dir.File("run.h5");
        var bad = DamagedTrajectories.Kinds.Single(k => k.Name == kind);
        bad.Write(file);
        foreach (var command in ReadingCommands)
            InProcessPep.AssertRefused(command, file, bad.Refusal, dir.File("out"));
    }

    [Fact]
    public void EveryReadingCommandReadsAValidFile()
    {
        using var dir = new TempDir();
        string file = dir.File("run.h5");
        DamagedTrajectories.WriteValid(file);
        foreach (var command in ReadingCommands)
        {
            var args = command.Select(a => string.Format(System.Globalization.CultureInfo.InvariantCulture, a, file, dir.File("out"))).ToArray();
            var (code, _, error) = InProcessPep.Run(args);
            Assert.True(code == 0, $"pep {string.Join(' ', command.Take(2))}: exit {code}: {error}");
        }
    }

    [Fact]
    public void AttributesRewrittenByH5pyAreAcceptedByEveryReadingCommand()
    {
        using var dir = new TempDir();
        string file = dir.File("run.h5");
        DamagedTrajectories.WriteWithH5pyAttributes(file);
        foreach (var command in ReadingCommands)
        {
            var args = command.Select(a => string.Format(System.Globalization.CultureInfo.InvariantCulture, a, file, dir.File("out"))).ToArray();
            var (code, _, error) = InProcessPep.Run(args);
            Assert.True(code == 0, $"pep {string.Join(' ', command.Take(2))}: exit {code}: {error}");
            Assert.Empty(error);
        }
    }

    [Fact]
    public void SnapshotsBeyondWhatCanBeHeldAreRefusedUpFront()
    {
        using var dir = new TempDir();
        var (code, output, error) = InProcessPep.Run("simulate", "--snapshots", "2147483647", "--nx", "8", "--ny", "8", "--out", dir.File("x.h5"), "--quiet");
        Assert.Equal(2, code);
        Assert.StartsWith("pep simulate: error: --snapshots: 2147483647 is more than this machine can hold", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(output);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void ExportingATrajectoryOfNoFramesIsRefusedInOneLine()
    {
        using var dir = new TempDir();
        string file = dir.File("empty.h5");
        DamagedTrajectories.Craft(file, s =>
        {
            s.FramesData = Array.Empty<byte>();
            s.FrameDims = [0, DamagedTrajectories.Side, DamagedTrajectories.Side];
            s.Iterations = Array.Empty<long>();
        });
        using (var reader = Store.FrameSources.Open(file)) Assert.Equal(0, reader.Count);
        InProcessPep.AssertRefused(["export", "legacy", "{0}", "--out", "{1}/legacy", "--quiet"], file, "holds no frames", dir.File("out"));
    }
}
