using System.Globalization;
using System.Text;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>How a spatial layer handles the lattice edge.</summary>
public enum Padding
{
    /// <summary>Keras "same": output size ceil(n / stride), zeros added (the extra one at the bottom/right when uneven).</summary>
    Same,
    /// <summary>No padding: output size (n - k) / stride + 1, which must be a whole number.</summary>
    Valid,
    /// <summary>Periodic wrap-around, like the lattice itself; output size n / stride, which must be a whole number.</summary>
    Circular,
    /// <summary>An explicit number of zero rows/columns on every side: (n + 2p - k) / stride + 1 must be a whole number.</summary>
    Explicit,
}

/// <summary>Activation applied after a CONV or FC layer.</summary>
public enum Activation
{
    Relu,
    Linear,
    Tanh,
    Sigmoid,
    Softmax,
}

/// <summary>One layer of a model, in the seed's notation (<c>CONV(3,k5,s3)</c>, <c>BN</c>, <c>MAXPOOL(3)</c>, ...).</summary>
public abstract record Layer
{
    /// <summary>The layer in canonical notation; <paramref name="isLast"/> decides the default activation.</summary>
    public abstract string Format(bool isLast);
}

/// <summary>Optional first element: the number of input channels the model expects.</summary>
public sealed record InputLayer(int Channels) : Layer
{
    public override string Format(bool isLast) => $"INPUT({Channels})";
}

/// <summary>Convolution: <c>CONV(filters[,kK][,sS][,same|valid|circular|pN][,activation])</c>.</summary>
public sealed record ConvLayer(int Filters, int Kernel, int Stride, Padding Padding, int Pad, Activation? Activation) : Layer
{
    public Activation EffectiveActivation(bool isLast) => Activation ?? (isLast ? Learn.Activation.Linear : Learn.Activation.Relu);

    public override string Format(bool isLast)
    {
        var args = new List<string> { Filters.ToString(CultureInfo.InvariantCulture), $"k{Kernel}", $"s{Stride}" };
        if (Padding != Padding.Same) args.Add(LayerSpec.FormatPadding(Padding, Pad));
        if (Activation is { } a && a != (isLast ? Learn.Activation.Linear : Learn.Activation.Relu))
            args.Add(LayerSpec.FormatActivation(a));
        return $"CONV({string.Join(',', args)})";
    }
}

/// <summary>Batch normalisation: <c>BN</c> or <c>BN(momentum)</c> with Keras' meaning of momentum (default 0.99).</summary>
public sealed record BatchNormLayer(double Momentum) : Layer
{
    public const double DefaultMomentum = 0.99;
    public const double Epsilon = 1e-3;

    public override string Format(bool isLast) =>
        Momentum == DefaultMomentum ? "BN" : $"BN({LayerSpec.Num(Momentum)})";
}

/// <summary>Pooling: <c>MAXPOOL(k[,sS][,same|valid|circular])</c> or <c>AVGPOOL(...)</c>; the stride defaults to k.</summary>
public sealed record PoolLayer(bool Max, int Kernel, int Stride, Padding Padding, int Pad) : Layer
{
    public string Name => Max ? "MAXPOOL" : "AVGPOOL";

    public override string Format(bool isLast)
    {
        var args = new List<string> { Kernel.ToString(CultureInfo.InvariantCulture) };
        if (Stride != Kernel) args.Add($"s{Stride}");
        if (Padding != Padding.Same) args.Add(LayerSpec.FormatPadding(Padding, Pad));
        return $"{Name}({string.Join(',', args)})";
    }
}

/// <summary>
/// Fully connected: <c>FC(units[,activation])</c>. Before FLATTEN/GAP it acts per site on the
/// channels (a 1x1 convolution, as in Keras); after it, on the whole vector.
/// </summary>
public sealed record DenseLayer(int Units, Activation? Activation) : Layer
{
    public Activation EffectiveActivation(bool isLast) => Activation ?? (isLast ? Learn.Activation.Linear : Learn.Activation.Relu);

    public override string Format(bool isLast)
    {
        var args = new List<string> { Units.ToString(CultureInfo.InvariantCulture) };
        if (Activation is { } a && a != (isLast ? Learn.Activation.Linear : Learn.Activation.Relu))
            args.Add(LayerSpec.FormatActivation(a));
        return $"FC({string.Join(',', args)})";
    }
}

/// <summary>Dropout: <c>DO(rate)</c>, rate in [0, 1).</summary>
public sealed record DropoutLayer(double Rate) : Layer
{
    public override string Format(bool isLast) => $"DO({LayerSpec.Num(Rate)})";
}

/// <summary>An activation on its own: <c>RELU</c>, <c>TANH</c>, <c>SIGMOID</c>.</summary>
public sealed record ActivationLayer(Activation Kind) : Layer
{
    public override string Format(bool isLast) => LayerSpec.FormatActivation(Kind).ToUpperInvariant();
}

/// <summary><c>FLATTEN</c>: the feature map into one vector.</summary>
public sealed record FlattenLayer : Layer
{
    public override string Format(bool isLast) => "FLATTEN";
}

/// <summary><c>GAP</c>: global average over the lattice, one value per channel (translation invariant, any size).</summary>
public sealed record GlobalAveragePoolLayer : Layer
{
    public override string Format(bool isLast) => "GAP";
}

/// <summary>
/// A model as a list of layers in the seed's notation, e.g.
/// <c>CONV(3,k5,s3) =&gt; FLATTEN =&gt; FC(1)</c>. <see cref="Parse"/> and <see cref="ToString"/>
/// round-trip: parsing the canonical text gives the same spec.
/// </summary>
public sealed class LayerSpec : IEquatable<LayerSpec>
{
    public LayerSpec(IReadOnlyList<Layer> layers)
    {
        if (layers.Count == 0) throw new PepLabInputException("layers", "the model has no layers");
        Layers = layers;
    }

    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The input-channel count the spec states (<c>INPUT(c)</c>), if any.</summary>
    public int? InputChannels => Layers[0] is InputLayer i ? i.Channels : null;

    /// <summary>The layers that compute something (without INPUT).</summary>
    public IEnumerable<Layer> Body => Layers.Where(l => l is not InputLayer);

    /// <summary>Canonical notation.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        for (int i = 0; i < Layers.Count; i++) parts.Add(Layers[i].Format(i == Layers.Count - 1));
        return string.Join(" => ", parts);
    }

    public bool Equals(LayerSpec? other) => other is not null && Layers.SequenceEqual(other.Layers);
    public override bool Equals(object? obj) => Equals(obj as LayerSpec);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    /// <summary>
    /// Parses the notation. Layers are separated by <c>=&gt;</c> (or <c>-&gt;</c>); names are
    /// case-insensitive; a leading bare <c>INPUT</c> is accepted and dropped. Throws
    /// <see cref="PepLabInputException"/> naming the offending layer.
    /// </summary>
    public static LayerSpec Parse(string text, string subject = "layers")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new PepLabInputException(subject, "is empty");
        var pieces = text.Replace("->", "=>", StringComparison.Ordinal).Split("=>");
        var layers = new List<Layer>();
        for (int i = 0; i < pieces.Length; i++)
        {
            string piece = pieces[i].Trim();
            if (piece.Length == 0)
                throw new PepLabInputException(subject, $"layer {i + 1} is empty (two '=>' in a row, or one at an end) in \"{text.Trim()}\"");
            var layer = ParseLayer(piece, i + 1, subject);
            if (layer is InputLayer && i > 0) throw new PepLabInputException(subject, $"layer {i + 1}: INPUT may only come first");
            if (layer is null) continue; // bare INPUT
            layers.Add(layer);
        }
        if (layers.Count == 0 || layers.All(l => l is InputLayer))
            throw new PepLabInputException(subject, "the model has no layers after INPUT");
        CheckStructure(layers, subject);
        // An activation that equals the default for its position is stored as "default", so the
        // canonical text (which omits it) parses back to an equal spec.
        for (int i = 0; i < layers.Count; i++)
        {
            var dflt = i == layers.Count - 1 ? Activation.Linear : Activation.Relu;
            if (layers[i] is ConvLayer c && c.Activation == dflt) layers[i] = c with { Activation = null };
            if (layers[i] is DenseLayer d && d.Activation == dflt) layers[i] = d with { Activation = null };
        }
        return new LayerSpec(layers);
    }

    private static void CheckStructure(List<Layer> layers, string subject)
    {
        bool flat = false;
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            string where = $"layer {i + 1} ({l.Format(i == layers.Count - 1)})";
            if (flat && l is ConvLayer or PoolLayer)
                throw new PepLabInputException(subject, $"{where} needs a lattice-shaped input but comes after FLATTEN/GAP");
            if (flat && l is FlattenLayer or GlobalAveragePoolLayer)
                throw new PepLabInputException(subject, $"{where}: the features are already a vector (a second FLATTEN/GAP)");
            if (l is FlattenLayer or GlobalAveragePoolLayer) flat = true;
        }
        var last = layers[^1];
        if (!flat)
            throw new PepLabInputException(subject, "the model never reduces the lattice to a vector: add FLATTEN or GAP, then FC(1)");
        if (last is not DenseLayer)
            throw new PepLabInputException(subject, $"the model must end with FC(1) (the prediction), not {last.Format(true)}");
    }

    private static Layer? ParseLayer(string piece, int index, string subject)
    {
        var (name, args) = SplitCall(piece, index, subject);
        string upper = name.ToUpperInvariant();
        string where = $"layer {index} \"{piece}\"";
        switch (upper)
        {
            case "INPUT":
                if (args.Length == 0) return null;
                if (args.Length != 1) throw new PepLabInputException(subject, $"{where}: INPUT takes one argument, the number of input channels");
                return new InputLayer(PositiveInt(args[0], where, "channels", subject));
            case "CONV":
                return ParseConv(args, where, subject);
            case "BN":
                return ParseBatchNorm(args, where, subject);
            case "MAXPOOL":
            case "AVGPOOL":
                return ParsePool(upper, args, where, subject);
            case "FC":
            case "DENSE":
                return ParseDense(args, where, subject);
            case "DO":
            case "DROPOUT":
                return ParseDropout(args, where, subject);
            case "FLATTEN":
                NoArgs(args, where, subject);
                return new FlattenLayer();
            case "GAP":
                NoArgs(args, where, subject);
                return new GlobalAveragePoolLayer();
            case "RELU":
            case "TANH":
            case "SIGMOID":
                NoArgs(args, where, subject);
                return new ActivationLayer(upper switch { "RELU" => Activation.Relu, "TANH" => Activation.Tanh, _ => Activation.Sigmoid });
            default:
                throw new PepLabInputException(subject,
                    $"{where}: unknown layer '{name}' (known: INPUT, CONV, BN, MAXPOOL, AVGPOOL, FC, DO, FLATTEN, GAP, RELU, TANH, SIGMOID)");
        }
    }

    /// <summary>Splits <c>NAME(a, b, ...)</c> into the name and its trimmed arguments (none without parentheses).</summary>
    private static (string Name, string[] Args) SplitCall(string piece, int index, string subject)
    {
        int open = piece.IndexOf('(');
        if (open < 0) return (piece, []);
        if (!piece.EndsWith(')'))
            throw new PepLabInputException(subject, $"layer {index} \"{piece}\": missing ')'");
        string name = piece[..open].Trim();
        string inner = piece[(open + 1)..^1];
        if (inner.Contains('(') || inner.Contains(')'))
            throw new PepLabInputException(subject, $"layer {index} \"{piece}\": unbalanced parentheses");
        string[] args = inner.Trim().Length == 0 ? [] : inner.Split(',').Select(a => a.Trim()).ToArray();
        if (args.Any(a => a.Length == 0))
            throw new PepLabInputException(subject, $"layer {index} \"{piece}\": empty argument");
        return (name, args);
    }

    private static ConvLayer ParseConv(string[] args, string where, string subject)
    {
        if (args.Length == 0) throw new PepLabInputException(subject, $"{where}: CONV needs the number of filters, e.g. CONV(3,k5,s3)");
        int filters = PositiveInt(args[0], where, "filters", subject);
        int kernel = 3, stride = 1, pad = 0;
        var padding = Padding.Same;
        Activation? act = null;
        bool k = false, s = false, p = false, a = false;
        foreach (var arg in args.Skip(1))
        {
            string v = arg.ToLowerInvariant();
            if (TryPrefixed(v, 'k', out int kv)) { Once(ref k, where, "kernel size", subject); kernel = Positive(kv, where, "kernel size", subject); }
            else if (TryPrefixed(v, 's', out int sv)) { Once(ref s, where, "stride", subject); stride = Positive(sv, where, "stride", subject); }
            else if (TryPadding(v, out var pv, out int pn)) { Once(ref p, where, "padding", subject); padding = pv; pad = pn; }
            else if (TryActivation(v, out var av)) { Once(ref a, where, "activation", subject); act = av; }
            else throw UnknownArgument(arg, where, "CONV(filters, kK, sS, same|valid|circular|pN, relu|linear|tanh|sigmoid|softmax)", subject);
        }
        return new ConvLayer(filters, kernel, stride, padding, pad, act);
    }

    private static BatchNormLayer ParseBatchNorm(string[] args, string where, string subject)
    {
        if (args.Length == 0) return new BatchNormLayer(BatchNormLayer.DefaultMomentum);
        if (args.Length != 1) throw new PepLabInputException(subject, $"{where}: BN takes at most one argument, the momentum (Keras meaning, default 0.99)");
        double m = Number(args[0], where, "momentum", subject);
        if (!(m > 0 && m < 1)) throw new PepLabInputException(subject, $"{where}: momentum must be in (0, 1)");
        return new BatchNormLayer(m);
    }

    /// <summary>MAXPOOL or AVGPOOL (<paramref name="upper"/>): the pool size, then optional stride and padding.</summary>
    private static PoolLayer ParsePool(string upper, string[] args, string where, string subject)
    {
        if (args.Length == 0) throw new PepLabInputException(subject, $"{where}: {upper} needs the pool size, e.g. {upper}(3)");
        int kernel = PositiveInt(args[0], where, "pool size", subject);
        int stride = kernel, pad = 0;
        var padding = Padding.Same;
        bool s = false, p = false;
        foreach (var arg in args.Skip(1))
        {
            string v = arg.ToLowerInvariant();
            if (TryPrefixed(v, 's', out int sv)) { Once(ref s, where, "stride", subject); stride = Positive(sv, where, "stride", subject); }
            else if (TryPadding(v, out var pv, out int pn)) { Once(ref p, where, "padding", subject); padding = pv; pad = pn; }
            else throw UnknownArgument(arg, where, $"{upper}(size, sS, same|valid|circular|pN)", subject);
        }
        return new PoolLayer(upper == "MAXPOOL", kernel, stride, padding, pad);
    }

    private static DenseLayer ParseDense(string[] args, string where, string subject)
    {
        if (args.Length is 0 or > 2) throw new PepLabInputException(subject, $"{where}: FC takes the number of units and optionally an activation, e.g. FC(128) or FC(10,softmax)");
        int units = PositiveInt(args[0], where, "units", subject);
        Activation? act = null;
        if (args.Length == 2)
        {
            if (!TryActivation(args[1].ToLowerInvariant(), out var av))
                throw UnknownArgument(args[1], where, "FC(units, relu|linear|tanh|sigmoid|softmax)", subject);
            act = av;
        }
        return new DenseLayer(units, act);
    }

    private static DropoutLayer ParseDropout(string[] args, string where, string subject)
    {
        if (args.Length != 1) throw new PepLabInputException(subject, $"{where}: DO takes the dropout rate, e.g. DO(0.2)");
        double rate = Number(args[0], where, "rate", subject);
        if (!(rate >= 0 && rate < 1)) throw new PepLabInputException(subject, $"{where}: the dropout rate must be in [0, 1)");
        return new DropoutLayer(rate);
    }

    private static void NoArgs(string[] args, string where, string subject)
    {
        if (args.Length > 0) throw new PepLabInputException(subject, $"{where}: takes no arguments");
    }

    private static void Once(ref bool seen, string where, string what, string subject)
    {
        if (seen) throw new PepLabInputException(subject, $"{where}: {what} given twice");
        seen = true;
    }

    private static PepLabInputException UnknownArgument(string arg, string where, string usage, string subject) =>
        new(subject, $"{where}: unknown argument '{arg}' (usage: {usage})");

    private static bool TryPrefixed(string v, char prefix, out int value)
    {
        value = 0;
        return v.Length > 1 && v[0] == prefix && int.TryParse(v.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryPadding(string v, out Padding padding, out int pad)
    {
        pad = 0;
        padding = Padding.Same;
        switch (v)
        {
            case "same": return true;
            case "valid": padding = Padding.Valid; return true;
            case "circular": padding = Padding.Circular; return true;
        }
        if (v.Length > 1 && v[0] == 'p' && int.TryParse(v.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out pad))
        {
            padding = Padding.Explicit;
            return true;
        }
        return false;
    }

    private static bool TryActivation(string v, out Activation activation)
    {
        activation = v switch
        {
            "relu" => Activation.Relu,
            "linear" => Activation.Linear,
            "tanh" => Activation.Tanh,
            "sigmoid" => Activation.Sigmoid,
            "softmax" => Activation.Softmax,
            _ => (Activation)(-1),
        };
        return (int)activation >= 0;
    }

    private static int PositiveInt(string s, string where, string what, string subject)
    {
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            throw new PepLabInputException(subject, $"{where}: {what} must be a whole number (got '{s}')");
        return Positive(v, where, what, subject);
    }

    private static int Positive(int v, string where, string what, string subject)
    {
        if (v < 1) throw new PepLabInputException(subject, $"{where}: {what} must be at least 1 (got {v})");
        return v;
    }

    private static double Number(string s, string where, string what, string subject)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new PepLabInputException(subject, $"{where}: {what} must be a number (got '{s}')");
        return v;
    }

    internal static string FormatPadding(Padding p, int pad) => p switch
    {
        Padding.Same => "same",
        Padding.Valid => "valid",
        Padding.Circular => "circular",
        _ => $"p{pad}",
    };

    internal static string FormatActivation(Activation a) => a.ToString().ToLowerInvariant();

    internal static string Num(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
