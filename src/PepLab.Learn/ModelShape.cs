using PepLab.Core;

namespace PepLab.Learn;

/// <summary>Padding of one spatial layer along one axis for one input size.</summary>
public readonly record struct AxisPlan(int Input, int Output, int Before, int After);

/// <summary>What one layer does to a given input: output shape, parameters, receptive field.</summary>
public sealed record LayerShape
{
    /// <summary>1-based position in the spec (INPUT not counted).</summary>
    public required int Index { get; init; }
    public required Layer Layer { get; init; }
    public required string Text { get; init; }
    /// <summary>Output channels, or vector length after FLATTEN/GAP.</summary>
    public required int Channels { get; init; }
    /// <summary>Output rows and columns; 0 once the features are a vector.</summary>
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required long Parameters { get; init; }
    /// <summary>Trainable parameters (BN running statistics excluded).</summary>
    public required long Trainable { get; init; }
    /// <summary>Receptive field in lattice sites (Araujo et al. 2019); null when every site feeds every output (after FLATTEN/GAP).</summary>
    public required int? ReceptiveField { get; init; }
    /// <summary>Product of the strides so far: the distance, in sites, between neighbouring outputs.</summary>
    public required int Jump { get; init; }
    public required bool IsVector { get; init; }
    /// <summary>Multiply-adds of the layer's forward pass for one frame (CONV and FC; 0 for the rest).</summary>
    public long MultiplyAdds { get; init; }
    /// <summary>Padding along rows and columns (spatial layers only).</summary>
    public AxisPlan? Rows { get; init; }
    public AxisPlan? Columns { get; init; }

    public string ShapeText => IsVector ? $"{Channels}" : $"{Channels} x {Height} x {Width}";
}

/// <summary>
/// Shape inference for a <see cref="LayerSpec"/> on an input of (channels, nx, ny): each layer's
/// output shape, parameter count and receptive field, and the seed's validity rule (a stride,
/// padding and size that do not tile the input are rejected).
/// </summary>
public static class ModelShape
{
    /// <summary>Plans one axis of a spatial layer; throws when the combination does not tile the input.</summary>
    public static AxisPlan PlanAxis(int n, int kernel, int stride, Padding padding, int pad, Func<string> where, string axis)
    {
        switch (padding)
        {
            case Padding.Same:
            {
                int output = (n + stride - 1) / stride;
                int total = Math.Max((output - 1) * stride + kernel - n, 0);
                return new AxisPlan(n, output, total / 2, total - total / 2);
            }
            case Padding.Valid:
            {
                if (n < kernel)
                    throw new PepLabInputException("model", $"{where()}: kernel {kernel} is larger than the {n} {axis} it gets");
                if ((n - kernel) % stride != 0)
                    throw new PepLabInputException("model",
                        $"{where()}: ({n} - {kernel}) / {stride} is not a whole number, so the windows do not tile the {n} {axis} (the last {(n - kernel) % stride} would be ignored); use 'same' padding or change the size, kernel or stride");
                return new AxisPlan(n, (n - kernel) / stride + 1, 0, 0);
            }
            case Padding.Circular:
            {
                if (n % stride != 0)
                    throw new PepLabInputException("model",
                        $"{where()}: stride {stride} does not divide the {n} {axis}, so the windows do not tile the periodic lattice; change the size or stride");
                int output = n / stride;
                int total = Math.Max((output - 1) * stride + kernel - n, 0);
                if (total / 2 > n || total - total / 2 > n)
                    throw new PepLabInputException("model", $"{where()}: kernel {kernel} wraps around the {n} {axis} more than once");
                return new AxisPlan(n, output, total / 2, total - total / 2);
            }
            default:
            {
                int padded = n + 2 * pad;
                if (padded < kernel)
                    throw new PepLabInputException("model", $"{where()}: kernel {kernel} is larger than the {padded} padded {axis}");
                if ((padded - kernel) % stride != 0)
                    throw new PepLabInputException("model",
                        $"{where()}: ({n} - {kernel} + 2*{pad}) / {stride} is not a whole number, so the windows do not tile the {n} {axis}; change the padding, size, kernel or stride");
                return new AxisPlan(n, (padded - kernel) / stride + 1, pad, pad);
            }
        }
    }

    /// <summary>
    /// Every layer's output for an input of <paramref name="channels"/> x <paramref name="nx"/> x
    /// <paramref name="ny"/>. Throws <see cref="PepLabInputException"/> when a layer cannot take its
    /// input, when INPUT disagrees with <paramref name="channels"/>, or when the model does not end
    /// in <paramref name="outputs"/> values.
    /// </summary>
    public static IReadOnlyList<LayerShape> Analyse(LayerSpec spec, int channels, int nx, int ny, int outputs = 1)
    {
        if (spec.InputChannels is { } stated && stated != channels)
            throw new PepLabInputException("model", $"INPUT({stated}) states {stated} input channel(s), but the encoding gives {channels}");
        var result = new List<LayerShape>();
        int c = channels, h = nx, w = ny;
        bool vector = false;
        int? field = 1;
        int jump = 1;
        var body = spec.Body.ToList();
        for (int i = 0; i < body.Count; i++)
        {
            var layer = body[i];
            bool last = i == body.Count - 1;
            string text = layer.Format(last);
            string Where() => $"layer {i + 1} {text} on {(vector ? $"{c} features" : $"{c} x {h} x {w}")}";
            long parameters = 0, trainable = 0, macs = 0;
            AxisPlan? rows = null, cols = null;
            switch (layer)
            {
                case ConvLayer conv:
                    rows = PlanAxis(h, conv.Kernel, conv.Stride, conv.Padding, conv.Pad, Where, "rows");
                    cols = PlanAxis(w, conv.Kernel, conv.Stride, conv.Padding, conv.Pad, Where, "columns");
                    parameters = trainable = (long)conv.Kernel * conv.Kernel * c * conv.Filters + conv.Filters;
                    field += (conv.Kernel - 1) * jump;
                    jump *= conv.Stride;
                    macs = (long)rows.Value.Output * cols.Value.Output * conv.Filters * c * conv.Kernel * conv.Kernel;
                    c = conv.Filters;
                    h = rows.Value.Output;
                    w = cols.Value.Output;
                    break;
                case PoolLayer pool:
                    rows = PlanAxis(h, pool.Kernel, pool.Stride, pool.Padding, pool.Pad, Where, "rows");
                    cols = PlanAxis(w, pool.Kernel, pool.Stride, pool.Padding, pool.Pad, Where, "columns");
                    field += (pool.Kernel - 1) * jump;
                    jump *= pool.Stride;
                    h = rows.Value.Output;
                    w = cols.Value.Output;
                    break;
                case BatchNormLayer:
                    trainable = 2L * c;
                    parameters = 4L * c;
                    break;
                case DenseLayer dense:
                    parameters = trainable = (long)c * dense.Units + dense.Units;
                    macs = (long)c * dense.Units * (vector ? 1 : (long)h * w);
                    c = dense.Units;
                    break;
                case FlattenLayer:
                    c = checked(c * h * w);
                    h = w = 0;
                    vector = true;
                    field = null;
                    break;
                case GlobalAveragePoolLayer:
                    h = w = 0;
                    vector = true;
                    field = null;
                    break;
                case DropoutLayer:
                case ActivationLayer:
                    break;
                default:
                    throw new InvalidOperationException($"no shape rule for {layer}");
            }
            if (!vector && (h < 1 || w < 1))
                throw new PepLabInputException("model", $"{Where()}: the output would be empty");
            result.Add(new LayerShape
            {
                Index = i + 1, Layer = layer, Text = text, Channels = c, Height = h, Width = w,
                Parameters = parameters, Trainable = trainable, MultiplyAdds = macs, ReceptiveField = field, Jump = jump,
                IsVector = vector, Rows = rows, Columns = cols,
            });
        }
        var final = result[^1];
        if (!final.IsVector || final.Channels != outputs)
            throw new PepLabInputException("model",
                $"the model ends in {final.ShapeText} values; it must end in {outputs} (FC({outputs}) after FLATTEN or GAP)");
        return result;
    }

    /// <summary>Receptive field (Araujo et al. 2019) of a list of (kernel, stride): F = sum_l (k_l - 1) prod_{i&lt;l} s_i + 1.</summary>
    public static int ReceptiveField(IEnumerable<(int Kernel, int Stride)> layers)
    {
        int field = 1, jump = 1;
        foreach (var (k, s) in layers)
        {
            field += (k - 1) * jump;
            jump *= s;
        }
        return field;
    }

    /// <summary>True when the model's output does not depend on the lattice size (it has GAP and no FLATTEN).</summary>
    public static bool IsSizeAgnostic(LayerSpec spec) =>
        spec.Body.Any(l => l is GlobalAveragePoolLayer) && !spec.Body.Any(l => l is FlattenLayer);
}

/// <summary>What <c>pep model summary</c> reports of a model on an nx x ny lattice (its <c>--json</c> document).</summary>
public sealed record ModelSummary(string Name, string Layers, string Encoding, string Target, string Head, int InputChannels, int Nx, int Ny,
    IReadOnlyList<LayerSummary> LayerShapes, long Parameters, long TrainableParameters, long MultiplyAdds, string ReceptiveField, bool SizeAgnostic)
{
    /// <summary>The summary of <paramref name="config"/> on <paramref name="nx"/> x <paramref name="ny"/> (refused when the strides do not tile it).</summary>
    public static ModelSummary Of(ModelConfig config, int nx, int ny)
    {
        var shapes = config.Shapes(nx, ny);
        return new ModelSummary(config.Name, config.Layers.ToString(), ModelSettingNames.Of(config.Encoding), ModelSettingNames.Of(config.Target),
            ModelSettingNames.Of(config.Head), config.Channels, nx, ny,
            shapes.Select(s => new LayerSummary(s.Index, s.Text, s.ShapeText, s.Channels, s.Height, s.Width, s.Parameters, s.Trainable, s.MultiplyAdds, s.ReceptiveField, s.Jump)).ToList(),
            shapes.Sum(s => s.Parameters), shapes.Sum(s => s.Trainable), shapes.Sum(s => s.MultiplyAdds), TrainingJob.ReceptiveField(shapes), config.SizeAgnostic);
    }
}

/// <summary>One layer of a <see cref="ModelSummary"/>: output shape (as text: "C x H x W", or "C" once a vector), parameters, receptive field (null: the whole lattice).</summary>
public sealed record LayerSummary(int Index, string Layer, string Output, int Channels, int Height, int Width, long Parameters, long TrainableParameters, long MultiplyAdds,
    int? ReceptiveField, int Jump);
