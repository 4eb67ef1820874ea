using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PepLab.Core;
using PepLab.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>The input a model was built for.</summary>
public sealed record InputDocument
{
    public required int Nx { get; init; }
    public required int Ny { get; init; }
    /// <summary>True when the model takes any lattice whose sides its strides divide (GAP, no FLATTEN).</summary>
    public required bool SizeAgnostic { get; init; }
}

/// <summary>The weights file next to model.json.</summary>
public sealed record WeightsDocument
{
    public required string File { get; init; }
    public required string Sha256 { get; init; }
    public required long Bytes { get; init; }
}

/// <summary>How the training and validation frames were chosen.</summary>
public sealed record SplitDocument
{
    public required string Kind { get; init; }
    public required double Fraction { get; init; }
    public required int Gap { get; init; }
    public required int Blocks { get; init; }
    public required string Description { get; init; }
    /// <summary>Files held out whole for validation.</summary>
    public required IReadOnlyList<string> HeldOut { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>How a model was trained.</summary>
public sealed record TrainingDocument
{
    public required string Dataset { get; init; }
    /// <summary>Content hash of the trajectory files trained on, names and bytes (<see cref="ContentHash.OfFiles"/>); null in older files.</summary>
    public string? DataHash { get; init; }
    public required int Runs { get; init; }
    public required long Frames { get; init; }
    public required long TrainFrames { get; init; }
    public required long ValFrames { get; init; }
    public required IReadOnlyList<double> Densities { get; init; }
    public required IReadOnlyList<double> Tumbles { get; init; }
    public string? DensityFilter { get; init; }
    public string? TumbleFilter { get; init; }
    public required SplitDocument Split { get; init; }
    public required ulong Seed { get; init; }
    public required int Epochs { get; init; }
    public required int EpochsRun { get; init; }
    public required int BestEpoch { get; init; }
    public required bool StoppedEarly { get; init; }
    public required int Batch { get; init; }
    public required double Lr { get; init; }
    public required string Schedule { get; init; }
    public int? Patience { get; init; }
    public required string Loss { get; init; }
    public double? HuberDelta { get; init; }
    public required string Augment { get; init; }
    public required bool Steady { get; init; }
    /// <summary>First frame used of each run (file relative to the data set) when <see cref="Steady"/>.</summary>
    public IReadOnlyDictionary<string, int>? SteadyStarts { get; init; }
    public required int ShuffleBuffer { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }
    public required double Seconds { get; init; }
    /// <summary>The settings that decide the result (see <see cref="TrainingJob.SettingsOf"/>): compared by --resume and by experiments to reuse a model.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
}

/// <summary>Validation metrics of the saved weights.</summary>
public sealed record MetricsDocument
{
    public required double ValLoss { get; init; }
    public required double ValPearson { get; init; }
    public required double ValPearsonLog { get; init; }
    public required double ValR2 { get; init; }
    public required double ValMae { get; init; }
    public required double ValOverlapRatio { get; init; }
    public required double ValWorstMedianRelativeError { get; init; }
}

/// <summary>
/// What was fitted after training and is applied to every prediction: the map of the output onto the
/// truth (<see cref="Bias"/>), and a gaussian head's factor of its standard deviation (see
/// <see cref="Trainer.CalibrateSigma"/>).
/// </summary>
public sealed record CalibrationDocument
{
    /// <summary>Gaussian head: the factor of the predicted standard deviation; absent: 1.</summary>
    public double? SigmaScale { get; init; }
    /// <summary>Training frames <see cref="SigmaScale"/> was fitted on.</summary>
    public int? Frames { get; init; }
    /// <summary>On those frames, the largest gap between a central interval's coverage and its level (0.1 ... 0.95).</summary>
    public double? LargestMiss { get; init; }
    public string? Method { get; init; }
    /// <summary>The map of the output onto the truth; absent: the raw output (trained with --calibrate none, or by format version 1).</summary>
    public BiasDocument? Bias { get; init; }

    public const string SigmaMethod =
        "sigma scaled so that central intervals at levels 0.1-0.95 best match their coverage (minimax) on training frames read as in prediction (eval mode, no augmentation)";
}

/// <summary>The <see cref="BiasMap"/> of model.json: knots in target space.</summary>
public sealed record BiasDocument
{
    public required IReadOnlyList<double> Raw { get; init; }
    public required IReadOnlyList<double> Mapped { get; init; }
    public required int Frames { get; init; }
    public string Method { get; init; } =
        "piecewise-linear, monotone: knots at the mean output of each true value on the training frames (eval mode, no augmentation), heights solved so that each value's mean mapped output equals it; slope 1 beyond the outer knots";

    public static BiasDocument Of(BiasMap m) => new() { Raw = m.Raw, Mapped = m.Mapped, Frames = m.Frames };

    public BiasMap ToMap(string subject) => new BiasMap { Raw = Raw, Mapped = Mapped, Frames = Frames }.Validate(subject);
}

/// <summary>model.json: everything needed to rebuild, reuse and judge a trained model.</summary>
public sealed record ModelDocument
{
    public string Format { get; init; } = ModelFile.FormatName;
    public int FormatVersion { get; init; } = ModelFile.Version;
    public string PeplabVersion { get; init; } = PepLabVersion.Current;
    public string TorchsharpVersion { get; init; } = TorchRuntime.TorchSharpVersion;
    public string Created { get; init; } = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    /// <summary>The process that wrote the model (for a resumed training, the one that finished it); null in older files.</summary>
    public Provenance? Provenance { get; init; }
    public required string Name { get; init; }
    /// <summary>The architecture in the seed's layer notation.</summary>
    public required string Layers { get; init; }
    public required string Encoding { get; init; }
    public required int InputChannels { get; init; }
    /// <summary>What the network regresses: "log" (ln P_t) or "identity" (P_t).</summary>
    public required string Target { get; init; }
    public required string Head { get; init; }
    public required InputDocument Input { get; init; }
    public required long Parameters { get; init; }
    public required WeightsDocument Weights { get; init; }
    public TrainingDocument? Training { get; init; }
    public MetricsDocument? Metrics { get; init; }
    /// <summary>Gaussian head: the fitted factor of its standard deviation (absent: 1).</summary>
    public CalibrationDocument? Calibration { get; init; }

    public ModelConfig ToConfig(string subject) => new(
        Name,
        LayerSpec.Parse(Layers, subject),
        ModelSettingNames.ParseEncoding(Encoding, subject),
        ModelSettingNames.ParseTarget(Target, subject),
        ModelSettingNames.ParseHead(Head, subject));
}

/// <summary>A model read back from disk, ready to predict.</summary>
public sealed class LoadedModel : IDisposable
{
    internal LoadedModel(string folder, ModelDocument document, Network network)
    {
        Folder = folder;
        Document = document;
        Network = network;
    }

    public string Folder { get; }
    public ModelDocument Document { get; }
    public Network Network { get; }
    public ModelConfig Config => Network.Config;

    /// <summary>Throws a one-line error when the model cannot take an nx x ny lattice.</summary>
    public void RequireLattice(int nx, int ny, string subject)
    {
        var input = Document.Input;
        if (!input.SizeAgnostic && (nx != input.Nx || ny != input.Ny))
            throw new PepLabInputException(subject,
                $"is {nx}x{ny}, but model {Document.Name} was built for {input.Nx}x{input.Ny} and takes no other size (it flattens the lattice; size-agnostic models use GAP)");
        try
        {
            Config.Shapes(nx, ny);
        }
        catch (PepLabInputException e)
        {
            throw new PepLabInputException(subject, $"is {nx}x{ny}, which model {Document.Name} cannot take: {e.Message}");
        }
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>Saving and loading models: <c>model.json</c> plus TorchSharp weights in one folder.</summary>
public static class ModelFile
{
    public const string FormatName = "peplab.model";
    /// <summary>The format written: 2 added calibration.bias; version 1 files are still read (they predict the raw output).</summary>
    public const int Version = 2;
    public const int OldestVersion = 1;
    public const string JsonName = "model.json";
    public const string WeightsName = "weights.bin";

    /// <summary>PepLab's JSON style (<see cref="PepLabJson"/>), absent values left out.</summary>
    public static JsonSerializerOptions Json => PepLabJson.OmitNulls;

    /// <summary>
    /// Writes the weights and model.json into <paramref name="folder"/>, each to a temporary name
    /// first and renamed when complete. Returns the document written (with the weights' hash).
    /// </summary>
    public static ModelDocument Save(string folder, Network network, ModelDocument document)
    {
        Directory.CreateDirectory(folder);
        string weights = Path.Combine(folder, WeightsName);
        AtomicFile.Write(weights, stream =>
        {
            using var binary = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            network.save(binary);
        });
        var info = new FileInfo(weights);
        var doc = document with { Weights = new WeightsDocument { File = WeightsName, Sha256 = Sha256(weights), Bytes = info.Length } };
        WriteJson(Path.Combine(folder, JsonName), doc);
        return doc;
    }

    /// <summary>Writes any object as JSON through a temporary file.</summary>
    public static void WriteJson<T>(string path, T value)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n");
    }

    /// <summary>
    /// Loads a model from its folder (or its model.json). Bad input (no such file, not a PepLab
    /// model, another format version, weights that do not match) throws
    /// <see cref="PepLabInputException"/>.
    /// </summary>
    public static LoadedModel Load(string path, Device? device = null)
    {
        string json = Directory.Exists(path) ? Path.Combine(path, JsonName) : path;
        if (!File.Exists(json))
            throw new PepLabInputException(path, Directory.Exists(path) ? $"holds no {JsonName}: not a trained PepLab model" : "no such model folder or file");
        string folder = Path.GetDirectoryName(Path.GetFullPath(json))!;
        ModelDocument doc;
        try
        {
            using var stream = File.OpenRead(json);
            using var parsed = JsonDocument.Parse(stream);
            var root = parsed.RootElement;
            string? format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (format != FormatName)
                throw new PepLabInputException(json, $"is not a PepLab model (format is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatName}')");
            int version = root.TryGetProperty("format_version", out var v) && v.TryGetInt32(out int vv) ? vv : -1;
            if (version < OldestVersion || version > Version)
            {
                string by = root.TryGetProperty("peplab_version", out var pv) && pv.ValueKind == JsonValueKind.String ? $" (written by PepLab {pv.GetString()})" : "";
                throw new PepLabInputException(json, $"is a model of format version {version}{by}; this PepLab ({PepLabVersion.Current}) reads versions {OldestVersion} to {Version}: retrain it");
            }
            doc = root.Deserialize<ModelDocument>(Json) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new PepLabInputException(json, $"is not a PepLab model file (invalid JSON: {e.Message})");
        }
        var config = doc.ToConfig(json);
        config.Shapes(doc.Input.Nx, doc.Input.Ny);
        string weights = Path.Combine(folder, doc.Weights.File);
        if (!File.Exists(weights)) throw new PepLabInputException(weights, "is missing (the model's weights)");
        if (!string.Equals(Sha256(weights), doc.Weights.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new PepLabInputException(weights, $"does not match {JsonName} (its SHA-256 differs): the folder mixes two models");
        var network = new Network(config, doc.Input.Nx, doc.Input.Ny);
        try
        {
            network.load(weights, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException or FormatException)
        {
            network.Dispose();
            throw new PepLabInputException(weights, $"cannot be loaded into {config.Layers} ({e.Message})");
        }
        network.eval();
        network.SigmaScale = doc.Calibration?.SigmaScale ?? 1;
        try
        {
            if (!(network.SigmaScale > 0) || !double.IsFinite(network.SigmaScale))
                throw new PepLabInputException(json, $"has calibration.sigma_scale {doc.Calibration!.SigmaScale}, which must be a positive number");
            network.Bias = doc.Calibration?.Bias?.ToMap(json);
        }
        catch (PepLabInputException)
        {
            network.Dispose();
            throw;
        }
        if (device is not null) network.to(device);
        return new LoadedModel(folder, doc, network);
    }

    public static string Sha256(string path) => ContentHash.OfFile(path);
}
