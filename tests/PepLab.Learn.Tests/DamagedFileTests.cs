using PepLab.Tests;

namespace PepLab.Learn.Tests;

/// <summary>A tiny model (one epoch, trained in-process) and the valid 8 x 8 runs it was trained on.</summary>
public sealed class TinyModelOnSmallLattice : IDisposable
{
    public const string Layers = "CONV(4,k3,s2,circular) => GAP => FC(1)";

    public TinyModelOnSmallLattice()
    {
        Dir = new TempDir();
        DataPath = TestData.Tiny(Dir.File("data"), [0.05, 0.5], replicas: 2, frames: 16, side: DamagedTrajectories.Side, density: 0.25);
        ModelPath = Dir.File("model");
        var (code, _, error) = InProcessPep.Run(Train(DataPath, ModelPath));
        Assert.True(code == 0, error);
    }

    public TempDir Dir { get; }
    public string DataPath { get; }
    public string ModelPath { get; }

    public static string[] Train(string data, string model) =>
        ["train", data, "--layers", Layers, "--epochs", "1", "--batch", "8", "--threads", "1", "--out", model, "--quiet"];

    public void Dispose() => Dir.Dispose();
}

/// <summary>
/// pep predict and pep train refuse every kind of damaged or invalid trajectory
/// (<see cref="DamagedTrajectories"/>) like every other reading command: exit code 2, one stderr line
/// naming the file, nothing on stdout, nothing written. Train sees the bad file next to valid runs
/// (a valid replica of its own P_t included).
/// </summary>
[Collection(nameof(InProcessPepCollection))]
public class DamagedFileTests(TinyModelOnSmallLattice tiny) : IClassFixture<TinyModelOnSmallLattice>
{
    public static TheoryData<string> KindNames => new(DamagedTrajectories.Kinds.Select(k => k.Name));

    [Theory]
    [MemberData(nameof(KindNames))]
    public void PredictAndTrainRefuseTheFileInOneLine(string kind)
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        foreach (var f in Directory.GetFiles(tiny.DataPath, "*.h5")) File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        // A valid replica beside it, so that its (density, P_t) group splits by replica without a warning.
        DamagedTrajectories.WriteValid(Path.Combine(data, "t0.1_r1.h5"), tumble: 0.1, seed: 2);
        string file = Path.Combine(data, "t0.1_r0.h5");
        var bad = DamagedTrajectories.Kinds.Single(k => k.Name == kind);
        bad.Write(file);
        InProcessPep.AssertRefused(["predict", tiny.ModelPath, "{0}", "--threads", "1", "--out", "{1}/predictions", "--quiet"], file, bad.Refusal, dir.File("out"));
        InProcessPep.AssertRefused(TinyModelOnSmallLattice.Train(data, "{1}/model"), file, bad.Refusal, dir.File("out"));
    }

    [Fact]
    public void PredictAndTrainAcceptAttributesRewrittenByH5py()
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        foreach (var f in Directory.GetFiles(tiny.DataPath, "*.h5")) File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        string file = Path.Combine(data, "t0.1_r0.h5");
        DamagedTrajectories.WriteWithH5pyAttributes(file);
        var (code, _, error) = InProcessPep.Run("predict", tiny.ModelPath, file, "--threads", "1", "--out", dir.File("predictions"), "--quiet");
        Assert.True(code == 0, error);
        Assert.Equal(DamagedTrajectories.Frames + 1, File.ReadAllLines(Path.Combine(dir.File("predictions"), "frames.csv")).Length);
        (code, _, error) = InProcessPep.Run(TinyModelOnSmallLattice.Train(data, dir.File("model")));
        Assert.True(code == 0, error);
    }
}
