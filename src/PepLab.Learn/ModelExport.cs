using System.Collections;
using PepLab.Core;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>A format a trained model can be exported to.</summary>
public enum ExportFormat
{
    /// <summary>A PyTorch <c>state_dict</c> (<c>torch.load</c>) and a generated <c>model.py</c> defining the network.</summary>
    PyTorch,
}

/// <summary>What <see cref="ModelExport.ToPyTorch"/> wrote.</summary>
public sealed record ExportedModel(string Folder, IReadOnlyList<string> Files);

/// <summary>
/// <c>pep model export</c>: a trained model in a form other tools load. For PyTorch, the folder
/// gets <c>state_dict.pt</c> (PyTorch's zip format, written by TorchSharp.PyBridge; keys named
/// after the generated module's attributes), <c>model.py</c> (the same network as a
/// <c>torch.nn.Module</c>, with the input encoding and the output transform spelled out; see
/// <see cref="PyTorchModuleWriter"/>) and a short <c>README.md</c>.
/// </summary>
public static class ModelExport
{
    public const string StateDictName = "state_dict.pt";
    public const string ModuleName = "model.py";
    public const string ReadmeName = "README.md";

    /// <summary>The files of a PyTorch export, in the order they are written.</summary>
    public static IReadOnlyList<string> PyTorchFiles { get; } = [StateDictName, ModuleName, ReadmeName];

    /// <summary>Parses a format name (<c>pytorch</c>); <paramref name="subject"/> names the option in errors.</summary>
    public static ExportFormat ParseFormat(string name, string subject = "format") => name.Trim().ToLowerInvariant() switch
    {
        "pytorch" or "torch" => ExportFormat.PyTorch,
        "onnx" => throw new PepLabInputException(subject,
            "onnx is not available (TorchSharp has no ONNX exporter); use --to pytorch"),
        _ => throw new PepLabInputException(subject, $"unknown format '{name}' (pytorch)"),
    };

    /// <summary>
    /// Writes the PyTorch export of <paramref name="model"/> into <paramref name="folder"/>. A folder
    /// that exists and is not empty is refused unless <paramref name="overwrite"/>; then the export's
    /// own files are removed first (so the folder never mixes two exports) and other files are left
    /// alone. Each file is written through <see cref="AtomicFile"/>, so none is ever half written.
    /// </summary>
    public static ExportedModel ToPyTorch(LoadedModel model, string folder, bool overwrite)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new PepLabInputException(folder, "is a file; the export needs a folder");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!overwrite) throw new PepLabInputException(folder, "exists and is not empty (use --overwrite to replace the export in it)");
            foreach (var name in PyTorchFiles) File.Delete(Path.Combine(full, name));
        }
        var plan = PyTorchLayer.Plan(model.Config, model.Document.Input.Nx, model.Document.Input.Ny);
        AtomicFile.Write(Path.Combine(full, StateDictName), s => WriteStateDict(model.Network, plan, s), folder);
        AtomicFile.WriteAllText(Path.Combine(full, ModuleName), PyTorchModuleWriter.Module(model, plan), folder);
        AtomicFile.WriteAllText(Path.Combine(full, ReadmeName), PyTorchModuleWriter.Readme(model), folder);
        return new ExportedModel(full, PyTorchFiles);
    }

    /// <summary>
    /// The network's parameters and batch-norm statistics under the generated module's names
    /// (<c>layers.3.bn.running_mean</c> becomes <c>bn2.running_mean</c>), as float32 (int64 for the
    /// batch counters) CPU tensors, in PyTorch's zip format.
    /// </summary>
    private static void WriteStateDict(Network network, IReadOnlyList<PyTorchLayer> plan, Stream stream)
    {
        using var scope = NewDisposeScope();
        var renamed = PyTorchStateDict(network, plan);
        // PyBridge pickles any IDictionary; an ordered one keeps the keys in layer order in the file.
        var ordered = new System.Collections.Specialized.OrderedDictionary();
        foreach (var (key, tensor) in renamed) ordered.Add(key, tensor);
        PyTorchPickler.PickleStateDict(stream, (IDictionary)ordered, leaveOpen: true);
    }

    /// <summary>The renamed state (see <see cref="WriteStateDict"/>); every key the module expects, none other.</summary>
    private static IReadOnlyList<(string Key, Tensor Value)> PyTorchStateDict(Network network, IReadOnlyList<PyTorchLayer> plan)
    {
        var byIndex = plan.Where(p => p.Attribute is not null).ToDictionary(p => p.Index);
        var result = new List<(string, Tensor)>();
        foreach (var (name, tensor) in network.state_dict())
        {
            // TorchSharp's names: layers.{i}.{conv|bn|fc}.{weight|bias|running_mean|...}
            var parts = name.Split('.');
            if (parts.Length != 4 || parts[0] != "layers" || !int.TryParse(parts[1], out int i) || !byIndex.TryGetValue(i, out var layer))
                throw new InvalidOperationException($"unexpected weight '{name}' in the network (no module of the export holds it)");
            result.Add(($"{layer.Attribute}.{parts[3]}", tensor.detach().cpu().contiguous()));
        }
        var expected = plan.SelectMany(p => p.StateKeys).ToList();
        var missing = expected.Except(result.Select(r => r.Item1)).ToList();
        var extra = result.Select(r => r.Item1).Except(expected).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidOperationException($"the export's state does not match its module (missing: {string.Join(", ", missing)}; unexpected: {string.Join(", ", extra)})");
        var order = expected.Select((k, n) => (k, n)).ToDictionary(x => x.k, x => x.n);
        return result.OrderBy(r => order[r.Item1]).ToList();
    }
}

/// <summary>
/// One layer of a model as the generated PyTorch module holds it: the attribute name of its
/// <c>nn.Module</c> (<c>conv1</c>, <c>bn2</c>, <c>fc1</c>, <c>drop1</c>; null for layers without
/// one: pooling, activations, FLATTEN, GAP), the keys it contributes to the state_dict, and its
/// output shape. The one place both the weights writer and the module writer take names from.
/// </summary>
internal sealed record PyTorchLayer(int Index, Layer Layer, LayerShape Shape, int InputChannels, bool OnVector, bool IsLast, string? Attribute)
{
    public IEnumerable<string> StateKeys => Layer switch
    {
        ConvLayer or DenseLayer => [$"{Attribute}.weight", $"{Attribute}.bias"],
        BatchNormLayer => [$"{Attribute}.weight", $"{Attribute}.bias", $"{Attribute}.running_mean", $"{Attribute}.running_var", $"{Attribute}.num_batches_tracked"],
        _ => [],
    };

    public static IReadOnlyList<PyTorchLayer> Plan(ModelConfig config, int nx, int ny)
    {
        var body = config.Layers.Body.ToList();
        var shapes = config.Shapes(nx, ny);
        var counts = new Dictionary<string, int>();
        var plan = new List<PyTorchLayer>();
        for (int i = 0; i < body.Count; i++)
        {
            string? kind = body[i] switch
            {
                ConvLayer => "conv",
                BatchNormLayer => "bn",
                DenseLayer => "fc",
                DropoutLayer => "drop",
                _ => null,
            };
            string? attribute = null;
            if (kind is not null)
            {
                counts[kind] = counts.GetValueOrDefault(kind) + 1;
                attribute = $"{kind}{counts[kind]}";
            }
            int channels = i == 0 ? config.Channels : shapes[i - 1].Channels;
            bool onVector = i > 0 && shapes[i - 1].IsVector;
            plan.Add(new PyTorchLayer(i, body[i], shapes[i], channels, onVector, i == body.Count - 1, attribute));
        }
        return plan;
    }
}
