using PepLab.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PepLab.Learn;

/// <summary>
/// A <see cref="ModelConfig"/> as a TorchSharp module. Takes raw snapshots, uint8 (N, nx, ny) with
/// values 0..4, encodes them itself, and returns (N, outputs) in target space.
/// </summary>
public sealed class Network : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;
    private readonly InputEncoding _encoding;

    static Network() => TorchRuntime.Initialise();

    /// <summary>
    /// Builds the network for <paramref name="nx"/> x <paramref name="ny"/> input (a model with
    /// FLATTEN takes only that size; one with GAP takes any size its strides tile).
    /// </summary>
    public Network(ModelConfig config, int nx, int ny) : base("PepLabNetwork")
    {
        Config = config;
        Nx = nx;
        Ny = ny;
        _encoding = config.Encoding;
        layers = new ModuleList<nn.Module<Tensor, Tensor>>();
        var body = config.Layers.Body.ToList();
        var shapes = config.Shapes(nx, ny);
        for (int i = 0; i < body.Count; i++)
        {
            bool last = i == body.Count - 1;
            int c = i == 0 ? config.Channels : shapes[i - 1].Channels;
            bool vector = i > 0 && shapes[i - 1].IsVector;
            switch (body[i])
            {
                case ConvLayer conv:
                    layers.Add(new ConvBlock(conv, c, conv.EffectiveActivation(last)));
                    break;
                case PoolLayer pool:
                    layers.Add(new PoolBlock(pool));
                    break;
                case BatchNormLayer bn:
                    layers.Add(new BatchNormBlock(c, bn.Momentum, vector));
                    break;
                case DenseLayer dense:
                    layers.Add(new DenseBlock(c, dense.Units, dense.EffectiveActivation(last), vector));
                    break;
                case DropoutLayer drop:
                    layers.Add(new DropoutBlock(drop.Rate));
                    break;
                case ActivationLayer act:
                    layers.Add(new ActivationBlock(act.Kind));
                    break;
                case FlattenLayer:
                    layers.Add(new FlattenBlock(global: false));
                    break;
                case GlobalAveragePoolLayer:
                    layers.Add(new FlattenBlock(global: true));
                    break;
                default:
                    throw new InvalidOperationException($"no module for {body[i]}");
            }
        }
        RegisterComponents();
        InitialiseKeras();
    }

    public ModelConfig Config { get; }

    /// <summary>
    /// Whether few-channel convolutions (see <see cref="ConvBlock.PrefersChannelsLast"/>) compute in
    /// the channels-last layout on the CPU (true, the default: faster) or in the plain layout. The
    /// layout changes only float rounding, never the model: both give the same function.
    /// </summary>
    public bool ChannelsLast
    {
        get => layers.OfType<ConvBlock>().Any(c => c.ChannelsLast);
        set
        {
            foreach (var c in layers.OfType<ConvBlock>()) c.ChannelsLast = value && c.PrefersChannelsLast;
        }
    }

    /// <summary>
    /// Gaussian head: the factor applied to the predicted standard deviation, fitted after training
    /// (<see cref="Trainer.CalibrateSigma"/>) and saved in model.json; 1 for a point head.
    /// </summary>
    public double SigmaScale { get; set; } = 1;

    /// <summary>
    /// The map of the output onto the truth fitted after training (<see cref="BiasMap"/>), applied
    /// to every prediction (and its slope to a gaussian head's standard deviation); null: raw output.
    /// </summary>
    public BiasMap? Bias { get; set; }

    /// <summary>The lattice the network was built for.</summary>
    public int Nx { get; }
    public int Ny { get; }

    /// <summary>Encodes raw frames (uint8, N x nx x ny) as the model's float input (N x C x nx x ny).</summary>
    public static Tensor Encode(Tensor frames, InputEncoding encoding)
    {
        using var scope = NewDisposeScope();
        Tensor x = encoding switch
        {
            InputEncoding.Ordinal => frames.to_type(ScalarType.Float32).div_(4.0f).unsqueeze(1),
            InputEncoding.Occupancy => frames.gt(0).to_type(ScalarType.Float32).unsqueeze(1),
            _ => frames.unsqueeze(1).eq(Codes(frames.device)).to_type(ScalarType.Float32),
        };
        return x.MoveToOuterDisposeScope();
    }

    private static Tensor Codes(Device device) => arange(1, 5, ScalarType.Byte, device).view(1, 4, 1, 1);

    public override Tensor forward(Tensor frames)
    {
        Tensor x;
        int start = 0;
        if (layers.Count > 0 && layers[0] is ConvBlock first && !first.PadsItself)
        {
            // The first layer's padding is added to the raw frames (1 byte a site, and 0 encodes as
            // all-zero channels), before encoding: cheaper than padding the float channels.
            using var padded = first.PadRaw(frames);
            using var encoded = Encode(padded, _encoding);
            x = first.Convolve(encoded);
            start = 1;
        }
        else x = Encode(frames, _encoding);
        foreach (var layer in layers.Skip(start))
        {
            var y = layer.call(x);
            if (!ReferenceEquals(y, x) && y.Handle != x.Handle) x.Dispose();
            x = y;
        }
        return x;
    }

    /// <summary>The output shape after each layer for these frames (checks shape inference against libtorch).</summary>
    public IReadOnlyList<long[]> TraceShapes(Tensor frames)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var shapes = new List<long[]>();
        var x = Encode(frames, _encoding);
        foreach (var layer in layers)
        {
            x = layer.call(x);
            shapes.Add(x.shape.ToArray());
        }
        return shapes;
    }

    /// <summary>The output of the first <paramref name="count"/> layers (inspection and tests).</summary>
    public Tensor Partial(Tensor frames, int count)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = Encode(frames, _encoding);
        foreach (var layer in layers.Take(count)) x = layer.call(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The first convolution's weights (filters x channels x k x k), if the model starts with one.</summary>
    public Tensor? FirstKernels() => layers.OfType<ConvBlock>().FirstOrDefault()?.Weight;

    /// <summary>The last layer's bias (set to the mean target at the start of training, so training starts calibrated).</summary>
    public Tensor? OutputBias() => layers.Count > 0 && layers[^1] is DenseBlock d ? d.Bias : null;

    /// <summary>Keras' initial values: Glorot-uniform kernels and zero biases.</summary>
    private void InitialiseKeras()
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            bool isKernel = name.EndsWith("weight", StringComparison.Ordinal) && p.dim() >= 2;
            bool isBias = name.EndsWith("bias", StringComparison.Ordinal) && !name.Contains(".bn.", StringComparison.Ordinal);
            if (isKernel) nn.init.xavier_uniform_(p);
            else if (isBias) nn.init.zeros_(p);
        }
    }

    internal static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.Relu => F.relu(x),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        Activation.Softmax => x.softmax(1),
        _ => x.alias(),
    };
}

/// <summary>A CONV layer with Keras "same", valid, circular or explicit padding.</summary>
internal sealed class ConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly ConvLayer _spec;
    private readonly Activation _activation;
    private readonly bool _builtInPadding;

    public ConvBlock(ConvLayer spec, int inChannels, Activation activation) : base("Conv")
    {
        _spec = spec;
        _activation = activation;
        PrefersChannelsLast = inChannels <= ChannelsLastMaxChannels && spec.Filters <= ChannelsLastMaxChannels && spec.Kernel <= ChannelsLastMaxKernel;
        ChannelsLast = PrefersChannelsLast;
        // A stride-1 layer with an odd kernel pads the same on both sides whatever the size: the
        // convolution pads itself (faster). Otherwise the padding depends on the size and is added
        // before the convolution.
        long builtIn = 0;
        var mode = PaddingModes.Zeros;
        if (spec.Padding is Padding.Same or Padding.Circular && spec.Stride == 1 && spec.Kernel % 2 == 1)
        {
            _builtInPadding = true;
            builtIn = (spec.Kernel - 1) / 2;
            if (spec.Padding == Padding.Circular) mode = PaddingModes.Circular;
        }
        else if (spec.Padding is Padding.Valid or Padding.Explicit)
        {
            _builtInPadding = true;
            builtIn = spec.Padding == Padding.Explicit ? spec.Pad : 0;
        }
        conv = nn.Conv2d(inChannels, spec.Filters, spec.Kernel, stride: spec.Stride, padding: builtIn, padding_mode: mode);
        RegisterComponents();
    }

    public Tensor Weight => conv.weight!;

    /// <summary>Most input and output channels of a convolution computed channels-last (see <see cref="PrefersChannelsLast"/>).</summary>
    public const int ChannelsLastMaxChannels = 7;

    /// <summary>Largest kernel of a convolution computed channels-last (see <see cref="PrefersChannelsLast"/>).</summary>
    public const int ChannelsLastMaxKernel = 3;

    /// <summary>
    /// True for a convolution with few channels in and out (at most <see cref="ChannelsLastMaxChannels"/>)
    /// and a small kernel. On the CPU libtorch's oneDNN stores such a layer's tensors in blocks of
    /// 16 channels (8 without AVX-512), so 1 to 7 channels are padded to 16: each step then spends
    /// more time converting between layouts than convolving (seed-deep's 3-channel 43x43 layer:
    /// 4.8 ms for its input gradient and 0.7 ms for each of six conversions, against 1.1 ms and
    /// none channels-last). Computed channels-last and converted back once, seed-deep trained
    /// 1.12-1.19 times faster (medians of in-process alternating blocks, four series) and
    /// predicted as fast. Left plain: a layer with 16 output channels (the default model's first,
    /// which gained nothing in training and predicted at 0.93), and a 5x5 kernel on the raw frames
    /// (seed-starter: oneDNN's channels-last kernel took twice as long; the model trained at 0.87).
    /// </summary>
    public bool PrefersChannelsLast { get; }

    /// <summary>Whether this convolution computes channels-last on the CPU (set by <see cref="Network.ChannelsLast"/>).</summary>
    public bool ChannelsLast { get; set; }

    /// <summary>True when the convolution pads by itself (no size-dependent padding to add first).</summary>
    public bool PadsItself => _builtInPadding;

    public override Tensor forward(Tensor x)
    {
        if (_builtInPadding) return Conv(x);
        using var padded = Pad(x);
        return Conv(padded);
    }

    /// <summary>The convolution and activation on an input already padded.</summary>
    public Tensor Convolve(Tensor padded) => Conv(padded);

    /// <summary>Raw frames (N, nx, ny, any dtype) padded as this layer needs.</summary>
    public Tensor PadRaw(Tensor frames)
    {
        using var four = frames.unsqueeze(1);
        using var padded = Pad(four);
        return padded.squeeze(1);
    }

    private Tensor Pad(Tensor x)
    {
        var rows = ModelShape.PlanAxis((int)x.shape[2], _spec.Kernel, _spec.Stride, _spec.Padding, _spec.Pad, () => _spec.Format(false), "rows");
        var cols = ModelShape.PlanAxis((int)x.shape[3], _spec.Kernel, _spec.Stride, _spec.Padding, _spec.Pad, () => _spec.Format(false), "columns");
        return F.pad(x, [cols.Before, cols.After, rows.Before, rows.After],
            _spec.Padding == Padding.Circular ? PaddingModes.Circular : PaddingModes.Constant);
    }

    private Tensor Conv(Tensor x)
    {
        var y = ChannelsLast && x.device_type == DeviceType.CPU ? ConvChannelsLast(x) : conv.call(x);
        if (_activation == Activation.Linear) return y;
        using (y) return Network.Activate(y, _activation);
    }

    /// <summary>
    /// The convolution of <paramref name="x"/> (plain layout) computed channels-last, returned in the
    /// plain layout. TorchSharp has no memory-format argument, so the layout is made by strides: a
    /// tensor N x C x H x W whose memory is N x H x W x C. libtorch then convolves channels-last
    /// and returns channels-last; the plain copy keeps the rest of the network (batch norm, pooling)
    /// on its fast plain-layout kernels. Both copies and their gradients go through autograd.
    /// </summary>
    private Tensor ConvChannelsLast(Tensor x)
    {
        var shape = x.shape;   // each read of Tensor.shape asks libtorch again
        long n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        using var scope = NewDisposeScope();
        // One channel: N x H x W x 1 viewed back is already channels-last, without a copy (a
        // permuted copy would keep the plain strides, which libtorch reads as the plain layout).
        var nhwc = c == 1 ? x.reshape(n, h, w, 1) : x.permute(0, 2, 3, 1).contiguous();
        var y = conv.call(nhwc.permute(0, 3, 1, 2));
        return y.contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>MAXPOOL / AVGPOOL with the same padding rules as CONV (pads never win a max, and never count in an average).</summary>
internal sealed class PoolBlock : nn.Module<Tensor, Tensor>
{
    private readonly PoolLayer _spec;

    public PoolBlock(PoolLayer spec) : base(spec.Name) => _spec = spec;

    public override Tensor forward(Tensor x)
    {
        var rows = ModelShape.PlanAxis((int)x.shape[2], _spec.Kernel, _spec.Stride, _spec.Padding, _spec.Pad, () => _spec.Format(false), "rows");
        var cols = ModelShape.PlanAxis((int)x.shape[3], _spec.Kernel, _spec.Stride, _spec.Padding, _spec.Pad, () => _spec.Format(false), "columns");
        long[] pads = [cols.Before, cols.After, rows.Before, rows.After];
        bool none = pads.All(p => p == 0);
        long k = _spec.Kernel, s = _spec.Stride;
        // Equal padding on both sides, at most half the window: the pool pads itself (faster), and
        // for the average it leaves the pads out of the count, as Keras does.
        bool builtIn = _spec.Padding != Padding.Circular && rows.Before == rows.After && cols.Before == cols.After
                       && 2 * rows.Before <= k && 2 * cols.Before <= k;
        if (_spec.Max)
        {
            if (none) return F.max_pool2d(x, [k, k], [s, s]);
            if (builtIn) return F.max_pool2d(x, [k, k], [s, s], [rows.Before, cols.Before]);
            using var padded = _spec.Padding == Padding.Circular
                ? F.pad(x, pads, PaddingModes.Circular)
                : F.pad(x, pads, PaddingModes.Constant, double.NegativeInfinity);
            return F.max_pool2d(padded, [k, k], [s, s]);
        }
        if (none) return F.avg_pool2d(x, [k, k], [s, s]);
        if (builtIn) return F.avg_pool2d(x, [k, k], [s, s], [rows.Before, cols.Before], count_include_pad: false);
        if (_spec.Padding == Padding.Circular)
        {
            using var wrapped = F.pad(x, pads, PaddingModes.Circular);
            return F.avg_pool2d(wrapped, [k, k], [s, s]);
        }
        using var scope = NewDisposeScope();
        var sums = F.avg_pool2d(F.pad(x, pads, PaddingModes.Constant), [k, k], [s, s]);
        var ones = torch.ones(1, 1, x.shape[2], x.shape[3], x.dtype, x.device);
        var share = F.avg_pool2d(F.pad(ones, pads, PaddingModes.Constant), [k, k], [s, s]);
        return sums.div(share).MoveToOuterDisposeScope();
    }
}

/// <summary>BN with Keras' epsilon (1e-3) and momentum convention (running = m * running + (1 - m) * batch).</summary>
internal sealed class BatchNormBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> bn;

    public BatchNormBlock(int channels, double kerasMomentum, bool vector) : base("BN")
    {
        bn = vector
            ? nn.BatchNorm1d(channels, eps: BatchNormLayer.Epsilon, momentum: 1 - kerasMomentum)
            : nn.BatchNorm2d(channels, eps: BatchNormLayer.Epsilon, momentum: 1 - kerasMomentum);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.call(x);
}

/// <summary>FC: a 1x1 convolution on a feature map, a linear layer on a vector.</summary>
internal sealed class DenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> fc;
    private readonly Activation _activation;

    public DenseBlock(int inputs, int units, Activation activation, bool vector) : base("FC")
    {
        _activation = activation;
        fc = vector ? nn.Linear(inputs, units) : nn.Conv2d(inputs, units, 1);
        RegisterComponents();
    }

    public Tensor? Bias => fc switch
    {
        Linear l => l.bias,
        Conv2d c => c.bias,
        _ => null,
    };

    public override Tensor forward(Tensor x)
    {
        if (_activation == Activation.Linear) return fc.call(x);
        using var y = fc.call(x);
        return Network.Activate(y, _activation);
    }
}

internal sealed class ActivationBlock(Activation kind) : nn.Module<Tensor, Tensor>("Activation")
{
    public override Tensor forward(Tensor x) => Network.Activate(x, kind);
}

/// <summary>
/// DO(r): in training, each value is zeroed with probability r and the others scaled by 1 / (1 - r),
/// as <c>nn.Dropout</c> does; in eval mode the identity. The mask is drawn here rather than by
/// libtorch because libtorch's CPU generator draws one value at a time (its dropout cost about an
/// eighth of a seed-deep training step): each call takes one 64-bit seed from libtorch's generator,
/// so the masks still follow <c>--seed</c> and a resumed training (which restores that generator)
/// draws the same ones, and fills the mask from a xoshiro256** stream, 16 bits a value.
/// </summary>
public sealed class DropoutBlock(double rate) : nn.Module<Tensor, Tensor>("Dropout")
{
    /// <summary>The mask's values, reused from call to call (a new array each time costs more than drawing it).</summary>
    private float[] _mask = [];

    public override Tensor forward(Tensor x)
    {
        if (!training || rate == 0) return x;
        using var scope = NewDisposeScope();
        ulong seed;
        using (var draw = randint(0, long.MaxValue, [1], ScalarType.Int64)) seed = (ulong)draw.item<long>();
        int n = checked((int)x.numel());
        if (_mask.Length < n) _mask = GC.AllocateUninitializedArray<float>(n);
        Fill(_mask.AsSpan(0, n), rate, seed);
        var m = empty(x.shape, ScalarType.Float32);
        m.bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_mask.AsSpan(0, n));
        if (x.device.type != DeviceType.CPU) m = m.to(x.device);
        return x.mul(m).MoveToOuterDisposeScope();
    }

    /// <summary>Fills <paramref name="mask"/>: each value 0 with probability <paramref name="rate"/> (to 1/65536), else 1 / (1 - rate).</summary>
    public static void Fill(Span<float> mask, double rate, ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        uint threshold = (uint)Math.Round(rate * 65536);
        float keep = (float)(1 / (1 - rate));
        int i = 0;
        // Branch-free: a 16-bit draw below the threshold makes (draw - threshold) negative, so its top bit 1.
        for (; i + 4 <= mask.Length; i += 4)
        {
            ulong bits = rng.NextUInt64();
            mask[i] = Keep(bits, threshold, keep);
            mask[i + 1] = Keep(bits >> 16, threshold, keep);
            mask[i + 2] = Keep(bits >> 32, threshold, keep);
            mask[i + 3] = Keep(bits >> 48, threshold, keep);
        }
        for (; i < mask.Length; i++) mask[i] = Keep(rng.NextUInt64(), threshold, keep);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float Keep(ulong bits, uint threshold, float keep) => keep * (float)((((uint)bits & 0xFFFF) - threshold) >> 31 ^ 1);
}

internal sealed class FlattenBlock(bool global) : nn.Module<Tensor, Tensor>(global ? "GAP" : "Flatten")
{
    public override Tensor forward(Tensor x) => global ? x.mean([2L, 3L]) : x.flatten(1);
}
