using System.Globalization;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PepLab.Learn.Tests;

/// <summary>A tiny training set (32x32, two P_t, two replicas) and one run of 200 frames to predict.</summary>
public sealed class ExportData : IDisposable
{
    public ExportData()
    {
        Dir = new TempDir();
        TrainPath = TestData.Tiny(Dir.File("train"), [0.01, 0.3], replicas: 2, frames: 24);
        FramesPath = Directory.GetFiles(TestData.Tiny(Dir.File("frames"), [0.05], replicas: 1, frames: 200), "*.h5").Single();
    }

    public TempDir Dir { get; }
    public string TrainPath { get; }
    public string FramesPath { get; }

    public void Dispose() => Dir.Dispose();
}

public class ModelExportTests(ExportData data) : IClassFixture<ExportData>
{
    /// <summary>Every kind of network PepLab trains: its built-in models, a layer-notation model with every layer kind, a gaussian head.</summary>
    public static TheoryData<string, string> Models => new()
    {
        // one-hot, circular padding, BN, GAP, ln P_t
        { "peplab", "--model peplab" },
        // ordinal, Keras "same" padding, max pooling, per-site FC, softmax, dropout, FLATTEN (NCHW order), P_t
        { "seed-deep", "--model seed-deep" },
        { "seed-starter", "--model seed-starter" },
        // occupancy, even kernel, circular max pooling, explicit padding, average pooling (pads not counted), BN on a vector
        { "layers", "--layers \"CONV(6,k4,s2) => BN => MAXPOOL(3,s2,circular) => CONV(8,k3,p1,tanh) => AVGPOOL(2) => DO(0.3) " +
                    "=> AVGPOOL(3,s1) => FC(5) => GAP => BN(0.9) => FC(8,sigmoid) => FC(1)\" --encoding occupancy" },
        // mean and log variance of ln P_t, sigma calibrated after training
        { "gaussian", "--model peplab --head gaussian" },
    };

    /// <summary>
    /// The exported model.py and state_dict.pt, run by PyTorch, give pep predict's numbers on 200
    /// frames: within 1e-5 absolute on the network's target (ln P_t; P_t for the seed's models,
    /// whose P_t may be near or below zero, so a relative bound means nothing there), 1e-5 relative
    /// on P_t when the target is ln P_t, and 1e-5 relative on sigma.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void PyTorchPredictsAsPepPredict(string name, string model)
    {
        string python = ExternalTools.Python("torch", "h5py");
        using var dir = new TempDir();
        string trained = dir.File(name), export = dir.File("export"), predictions = dir.File("pred");
        Succeeds($"train \"{data.TrainPath}\" {model} --epochs 1 --batch 16 --threads 1 --seed 3 --out \"{trained}\" --quiet");
        Succeeds($"model export \"{trained}\" --to pytorch --out \"{export}\"");
        Succeeds($"predict \"{trained}\" \"{data.FramesPath}\" --threads 1 --quiet --out \"{predictions}\"");

        string output = ExternalTools.RunPython(python, CompareScript(export, data.FramesPath, Path.Combine(predictions, "frames.csv")));
        var worst = output.Trim().Split('\n')[^1].Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(worst[0] <= 1e-5, $"{name}: target differs by {worst[0]}");
        Assert.True(worst[1] <= 1e-5, $"{name}: P_t differs by a factor 1 + {worst[1]}");
        Assert.True(worst[2] <= 1e-5, $"{name}: sigma differs by a factor 1 + {worst[2]}");
        // The frames move the prediction, so the comparison tests the encoding and the layers, not only a bias.
        Assert.True(worst[3] > 1e-4, $"{name}: predictions span only {worst[3]} over 200 frames");
    }

    private static string CompareScript(string export, string frames, string csv) => $$"""
        import csv, importlib.util, math
        import h5py, torch

        spec = importlib.util.spec_from_file_location("exported", {{Py(Path.Combine(export, "model.py"))}})
        exported = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(exported)
        net = exported.load()
        assert not net.training
        # The weights alone load with the restricted unpickler (the default of newer PyTorch).
        torch.load({{Py(Path.Combine(export, "state_dict.pt"))}}, weights_only=True)
        with h5py.File({{Py(frames)}}, "r") as f:
            frames = f["frames"][:]
        out = net.predict(frames)
        p_t, sigma = out if exported.HEAD == "gaussian" else (out, None)
        assert p_t.dtype == torch.float64 and p_t.shape == (200,)
        rows = list(csv.DictReader(open({{Py(csv)}})))
        assert len(rows) == 200
        worst_target = worst_p = worst_sigma = 0.0
        targets = []
        for row in rows:
            k = int(row["frame"])
            p = p_t[k].item()
            target = math.log(p) if exported.TARGET == "log" else p
            targets.append(target)
            worst_target = max(worst_target, abs(target - float(row["pred_target"])))
            if exported.TARGET == "log":
                worst_p = max(worst_p, abs(p / float(row["pred"]) - 1))
            if sigma is not None:
                worst_sigma = max(worst_sigma, abs(sigma[k].item() / float(row["sigma_target"]) - 1))
        print(worst_target, worst_p, worst_sigma, max(targets) - min(targets))
        """;

    /// <summary>A Python string literal (JSON's escaping is valid Python).</summary>
    private static string Py(string s) => JsonSerializer.Serialize(s);

    [Fact]
    public void StateDictHoldsTheNetworksWeightsUnderTheModulesNames()
    {
        using var dir = new TempDir();
        string trained = dir.File("m"), export = dir.File("export");
        Succeeds($"train \"{data.TrainPath}\" --layers \"CONV(4,k3,s2,circular) => BN => GAP => FC(3) => DO(0.1) => FC(1)\" --epochs 1 --batch 16 --threads 1 --out \"{trained}\" --quiet");
        Succeeds($"model export \"{trained}\" --out \"{export}\"");

        using var model = ModelFile.Load(trained);
        var saved = PyTorchUnpickler.UnpickleStateDict(Path.Combine(export, ModelExport.StateDictName));
        var weights = model.Network.state_dict();
        string[] expected =
        [
            "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
        ];
        Assert.Equal(expected.Order(), saved.Keys.Cast<string>().Order());
        foreach (var (key, original) in new[] { ("conv1.weight", "layers.0.conv.weight"), ("bn1.running_var", "layers.1.bn.running_var"), ("fc2.bias", "layers.5.fc.bias") })
        {
            var tensor = (Tensor)saved[key]!;
            Assert.Equal(ScalarType.Float32, tensor.dtype);
            Assert.True(tensor.eq(weights[original]).all().item<bool>(), key);
        }
        string module = File.ReadAllText(Path.Combine(export, ModelExport.ModuleName));
        Assert.Contains("self.conv1 = nn.Conv2d(4, 4, kernel_size=3, stride=2)", module);
        Assert.Contains("x = F.relu(self.conv1(pad(x, 3, 2, \"circular\")))", module);
        Assert.Contains("self.bn1 = nn.BatchNorm2d(4, eps=0.001, momentum=0.01)", module);
        Assert.Contains("self.drop1 = nn.Dropout(p=0.1)", module);
        Assert.Contains("x = x.mean(dim=(2, 3))", module);
        Assert.Contains("net = model.load()", File.ReadAllText(Path.Combine(export, ModelExport.ReadmeName)));
    }

    [Fact]
    public void AnExistingExportIsReplacedOnlyWithOverwrite()
    {
        using var dir = new TempDir();
        string trained = dir.File("m"), export = dir.File("export");
        Succeeds($"train \"{data.TrainPath}\" --model seed-starter --epochs 1 --batch 16 --threads 1 --out \"{trained}\" --quiet");
        Succeeds($"model export \"{trained}\" --out \"{export}\"");
        string module = Path.Combine(export, ModelExport.ModuleName);
        File.WriteAllText(module, "edited");
        File.WriteAllText(Path.Combine(export, "notes.txt"), "mine");

        var (code, _, error) = Pep.Run($"model export \"{trained}\" --out \"{export}\"");
        Assert.Equal(2, code);
        Assert.Contains("--overwrite", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal("edited", File.ReadAllText(module));

        Succeeds($"model export \"{trained}\" --out \"{export}\" --overwrite");
        Assert.Contains("class PepLabModel(nn.Module)", File.ReadAllText(module));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(export, "notes.txt")));
        Assert.Empty(Directory.GetFiles(export, "*.partial"));

        // The default folder is MODEL/pytorch; an empty folder is not an export to protect.
        Succeeds($"model export \"{trained}\"");
        Assert.True(File.Exists(Path.Combine(trained, "pytorch", ModelExport.StateDictName)));
        Directory.CreateDirectory(dir.File("empty"));
        Succeeds($"model export \"{trained}\" --out \"{dir.File("empty")}\"");

        (code, _, error) = Pep.Run($"model export \"{trained}\" --to onnx --out \"{dir.File("onnx")}\"");
        Assert.Equal(2, code);
        Assert.Contains("--to: onnx is not available", error);
        Assert.False(Directory.Exists(dir.File("onnx")));
    }

    private static void Succeeds(string arguments)
    {
        var (code, output, error) = Pep.Run(arguments);
        Assert.True(code == 0, $"pep {arguments}\n{error}\n{output}");
    }
}
