using PepLab.Core;

namespace PepLab.Learn;

/// <summary>How a snapshot (site values 0..4) is fed to the network.</summary>
public enum InputEncoding
{
    /// <summary>One channel, value / 4 (the seed's; it imposes a false order on the 4 directions).</summary>
    Ordinal,
    /// <summary>One channel, 1 where a particle is, 0 where the site is empty (orientation dropped).</summary>
    Occupancy,
    /// <summary>Four channels, one per orientation (up, right, down, left), 1 where such a particle is.</summary>
    OneHot,
}

/// <summary>What the network regresses.</summary>
public enum TargetTransform
{
    /// <summary>P_t itself (the seed's).</summary>
    Identity,
    /// <summary>ln P_t: equal weight to every decade, positive predictions.</summary>
    Log,
}

/// <summary>What the network's last layer gives.</summary>
public enum Head
{
    /// <summary>One value: the prediction.</summary>
    Point,
    /// <summary>Two values: the mean and the log variance of a Gaussian (trained with the Gaussian negative log-likelihood).</summary>
    Gaussian,
}

/// <summary>The names of the model settings (<see cref="InputEncoding"/>, <see cref="TargetTransform"/>, <see cref="Head"/>) as the command line and model.json spell them, and their parsers.</summary>
public static class ModelSettingNames
{
    public static string Of(InputEncoding e) => e switch
    {
        InputEncoding.Ordinal => "ordinal",
        InputEncoding.Occupancy => "occupancy",
        _ => "onehot",
    };

    public static string Of(TargetTransform t) => t == TargetTransform.Log ? "log" : "identity";

    public static string Of(Head h) => h == Head.Gaussian ? "gaussian" : "point";

    public static InputEncoding ParseEncoding(string s, string subject = "encoding") => s.Trim().ToLowerInvariant() switch
    {
        "ordinal" => InputEncoding.Ordinal,
        "occupancy" => InputEncoding.Occupancy,
        "onehot" or "one-hot" => InputEncoding.OneHot,
        _ => throw new PepLabInputException(subject, $"unknown encoding '{s}' (ordinal, occupancy, onehot)"),
    };

    public static TargetTransform ParseTarget(string s, string subject = "target") => s.Trim().ToLowerInvariant() switch
    {
        "identity" or "p" or "linear" => TargetTransform.Identity,
        "log" => TargetTransform.Log,
        _ => throw new PepLabInputException(subject, $"unknown target '{s}' (identity, log)"),
    };

    public static Head ParseHead(string s, string subject = "head") => s.Trim().ToLowerInvariant() switch
    {
        "point" => Head.Point,
        "gaussian" => Head.Gaussian,
        _ => throw new PepLabInputException(subject, $"unknown head '{s}' (point, gaussian)"),
    };
}

/// <summary>What the model settings mean for the network's input and output.</summary>
public static class ModelSettingExtensions
{
    /// <summary>Input channels an encoding gives.</summary>
    public static int Channels(this InputEncoding e) => e == InputEncoding.OneHot ? 4 : 1;

    /// <summary>Network target of a P_t value.</summary>
    public static double ToTarget(this TargetTransform t, double tumble) => t == TargetTransform.Log ? Math.Log(tumble) : tumble;

    /// <summary>P_t of a network target value.</summary>
    public static double FromTarget(this TargetTransform t, double value) => t == TargetTransform.Log ? Math.Exp(value) : value;
}

/// <summary>A complete model description: layers, input encoding, target and head.</summary>
public sealed record ModelConfig(string Name, LayerSpec Layers, InputEncoding Encoding, TargetTransform Target, Head Head)
{
    /// <summary>Values the last layer gives: 1 for a point head, 2 (mean, log variance) for a Gaussian one.</summary>
    public int Outputs => Head == Head.Gaussian ? 2 : 1;

    public int Channels => Encoding.Channels();

    /// <summary>True when the model takes any lattice size (GAP, no FLATTEN).</summary>
    public bool SizeAgnostic => ModelShape.IsSizeAgnostic(Layers);

    /// <summary>Shape inference on an nx x ny input; throws when the model cannot take it.</summary>
    public IReadOnlyList<LayerShape> Shapes(int nx, int ny) => ModelShape.Analyse(Layers, Channels, nx, ny, Outputs);
}

/// <summary>The built-in models.</summary>
public static class Architectures
{
    public const string SeedStarter = "seed-starter";
    public const string SeedDeep = "seed-deep";
    public const string PepLab = "peplab";
    public const string Custom = "custom";

    /// <summary>The seed's starter model (REFERENCE.md): INPUT => CONV => FLATTEN => FC; 3 kernels 5x5, stride 3.</summary>
    public const string SeedStarterLayers = "CONV(3,k5,s3) => FLATTEN => FC(1)";

    /// <summary>
    /// The seed's deep model (REFERENCE.md), Keras semantics: "same" padding everywhere, FC before
    /// FLATTEN acting per site (a 1x1 convolution), ReLU after CONV and FC unless stated.
    /// </summary>
    public const string SeedDeepLayers =
        "CONV(3,k3,s3) => BN => CONV(3,k3,s1) => BN => MAXPOOL(3) => CONV(6,k3,s1) => BN => CONV(6,k3,s1) => BN => MAXPOOL(3) " +
        "=> FC(128) => DO(0.2) => FC(10,softmax) => FLATTEN => FC(1)";

    /// <summary>
    /// PepLab's default, designed for the PEP: one-hot orientation channels; circular padding (the
    /// lattice is periodic, so no edge is special); a 3x3 stride-2 first layer whose overlapping
    /// windows still see every pair of neighbouring sites, so the resolution halves at once (cheap);
    /// two more stride-2 stages to a receptive field of 39 sites (the largest clusters at low P_t);
    /// batch normalisation with PyTorch's faster-following statistics (Keras momentum 0.9); global
    /// average pooling, so the prediction is translation invariant and any lattice whose sides
    /// divide by 8 works; regression of ln P_t.
    /// </summary>
    public const string PepLabLayers =
        "CONV(16,k3,s2,circular) => BN(0.9) => CONV(24,k3,s2,circular) => BN(0.9) => CONV(24,k3,s1,circular) => BN(0.9) " +
        "=> CONV(48,k3,s2,circular) => BN(0.9) => CONV(48,k3,s1,circular) => BN(0.9) => GAP => FC(32) => FC(1)";

    public static IReadOnlyList<string> Names { get; } = [PepLab, SeedDeep, SeedStarter];

    /// <summary>
    /// The model named <paramref name="name"/>, or a custom one from <paramref name="layers"/>;
    /// encoding and target default to the model's own (the seed's models: ordinal and P_t;
    /// PepLab's: one-hot and ln P_t).
    /// </summary>
    public static ModelConfig Resolve(string? name, string? layers, InputEncoding? encoding, TargetTransform? target, Head head = Head.Point)
    {
        string text;
        string resolved;
        InputEncoding defaultEncoding;
        TargetTransform defaultTarget;
        if (layers is not null)
        {
            if (name is not null && !string.Equals(name, Custom, StringComparison.OrdinalIgnoreCase))
                throw new PepLabInputException("layers", $"give either --model {name} or --layers, not both");
            text = layers;
            resolved = Custom;
            defaultEncoding = InputEncoding.OneHot;
            defaultTarget = TargetTransform.Log;
        }
        else
        {
            resolved = (name ?? PepLab).Trim().ToLowerInvariant();
            (text, defaultEncoding, defaultTarget) = resolved switch
            {
                SeedStarter => (SeedStarterLayers, InputEncoding.Ordinal, TargetTransform.Identity),
                SeedDeep => (SeedDeepLayers, InputEncoding.Ordinal, TargetTransform.Identity),
                PepLab => (PepLabLayers, InputEncoding.OneHot, TargetTransform.Log),
                Custom => throw new PepLabInputException("model", "custom needs --layers \"...\""),
                _ => throw new PepLabInputException("model", $"unknown model '{name}' (known: {string.Join(", ", Names)}, or --layers \"...\")"),
            };
        }
        var spec = LayerSpec.Parse(text, layers is null ? "model" : "layers");
        if (head == Head.Gaussian) spec = WithOutputs(spec, 2);
        var config = new ModelConfig(resolved, spec, encoding ?? defaultEncoding, target ?? defaultTarget, head);
        if (config.Layers.InputChannels is { } c && c != config.Channels)
            throw new PepLabInputException("encoding",
                $"the model takes {c} input channel(s) (INPUT({c})) but encoding {ModelSettingNames.Of(config.Encoding)} gives {config.Channels}");
        if (head == Head.Gaussian && config.Target != TargetTransform.Log)
            throw new PepLabInputException("head", "a gaussian head needs the log target (--target log): its variance is on ln P_t");
        return config;
    }

    /// <summary>The spec with its final FC(1) widened to FC(n).</summary>
    public static LayerSpec WithOutputs(LayerSpec spec, int n)
    {
        var layers = spec.Layers.ToList();
        if (layers[^1] is not DenseLayer last)
            throw new PepLabInputException("layers", "the model must end with FC(1)");
        if (last.Units != 1 && last.Units != n)
            throw new PepLabInputException("head", $"the model ends in FC({last.Units}); a gaussian head needs FC(1) (widened to FC(2)) or FC(2)");
        layers[^1] = last with { Units = n };
        return new LayerSpec(layers);
    }
}
