using System.Globalization;
using System.Text;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>
/// Generates the <c>model.py</c> of a PyTorch export: the model's network as a readable
/// <c>torch.nn.Module</c> with one line per layer in <c>forward</c>, the input encoding
/// (<c>encode</c>), PepLab's padding rules (<c>plan_axis</c>, <c>pad</c>: Keras "same", valid,
/// circular, explicit zeros) and <c>predict</c>, which turns the output into P_t (and, for a
/// gaussian head, the calibrated standard deviation of ln P_t) exactly as PepLab does. The module
/// needs only torch (the tests run it with PyTorch 1.13).
/// </summary>
internal static class PyTorchModuleWriter
{
    public static string Module(LoadedModel model, IReadOnlyList<PyTorchLayer> plan)
    {
        var doc = model.Document;
        var config = model.Config;
        bool gaussian = config.Head == Head.Gaussian;
        var py = new StringBuilder();
        py.Append($$""""
            """PepLab model "{{doc.Name}}" for PyTorch, exported by `pep model export` (PepLab {{PepLabVersion.Current}}).

            Layers, in PepLab's notation:
                {{doc.Layers}}
            Input: {{EncodingText(config.Encoding)}}.
            Lattice: trained on {{doc.Input.Nx}} x {{doc.Input.Ny}}; {{(doc.Input.SizeAgnostic ? "takes any size its strides tile (GAP)" : "takes that size only (FLATTEN)")}}.
            Output: {{OutputText(config)}}.
            Weights: state_dict.pt beside this file (from {{doc.Weights.File}}, SHA-256 {{doc.Weights.Sha256}}).

                import model                       # this file
                net = model.load()                 # the network with its weights, in eval mode
                {{(gaussian ? "p_t, sigma = net.predict(frames)" : "p_t = net.predict(frames)    ")}}  # frames: uint8 (N, rows, columns), site values 0..4
            """
            import os

            import torch
            import torch.nn.functional as F
            from torch import nn

            ENCODING = "{{ModelSettingNames.Of(config.Encoding)}}"
            TARGET = "{{ModelSettingNames.Of(config.Target)}}"  # the first output is {{(config.Target == TargetTransform.Log ? "ln P_t" : "P_t itself")}}
            HEAD = "{{ModelSettingNames.Of(config.Head)}}"
            SIGMA_SCALE = {{Float(doc.Calibration?.SigmaScale ?? 1)}}  # calibration.sigma_scale of model.json (gaussian head; 1 when absent)
            BIAS_RAW = [{{Floats(doc.Calibration?.Bias?.Raw)}}]  # calibration.bias of model.json: knots of the map of the output onto the truth (empty: none)
            BIAS_MAPPED = [{{Floats(doc.Calibration?.Bias?.Mapped)}}]
            LOG_VAR_LIMIT = {{Float(Trainer.LogVarLimit)}}  # the log variance is clamped to [-12, 12] before sigma = exp(log_var / 2)
            LATTICE = ({{doc.Input.Nx}}, {{doc.Input.Ny}})  # (rows, columns) of the training frames
            SIZE_AGNOSTIC = {{(doc.Input.SizeAgnostic ? "True" : "False")}}
            STATE_DICT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "state_dict.pt")


            def encode(frames):
                """Snapshots as the network's input.

                frames: (N, rows, columns) or (rows, columns), numpy array or tensor, site values 0 empty,
                1 up (row - 1), 2 right (column + 1), 3 down (row + 1), 4 left (column - 1).
                Returns float32 (N, C, rows, columns): {{EncodingText(config.Encoding)}}.
                """
                frames = torch.as_tensor(frames).to(torch.uint8)
                if frames.dim() == 2:
                    frames = frames.unsqueeze(0)

            """");
        py.Append(EncodingCode(config.Encoding));
        py.Append(Helpers(plan));
        py.Append(NetworkClass(plan, config));
        py.Append($$""""


            def calibrate(target):
                """(mapped, slope): the first output mapped onto the truth as PepLab maps it (calibration.bias of
                model.json; the identity when absent): linear between the knots BIAS_RAW -> BIAS_MAPPED, shifted by
                the outer knot's offset beyond them. slope multiplies a gaussian head's sigma."""
                ones = torch.ones_like(target)
                if not BIAS_RAW:
                    return target, ones
                raw = torch.tensor(BIAS_RAW, dtype=target.dtype)
                mapped = torch.tensor(BIAS_MAPPED, dtype=target.dtype)
                below, above = target <= raw[0], target >= raw[-1]
                outside = torch.where(below, target + (mapped[0] - raw[0]), target + (mapped[-1] - raw[-1]))
                if len(BIAS_RAW) == 1:
                    return outside, ones
                hi = torch.searchsorted(raw, target.contiguous()).clamp(1, len(BIAS_RAW) - 1)
                lo = hi - 1
                slope = (mapped[hi] - mapped[lo]) / (raw[hi] - raw[lo])
                inside = mapped[lo] + slope * (target - raw[lo])
                edge = below | above
                return torch.where(edge, outside, inside), torch.where(edge, ones, slope)


            def load(path=STATE_DICT, device="cpu"):
                """PepLabModel with the exported weights, in eval mode (batch norm uses its running statistics, dropout is off)."""
                net = PepLabModel()
                net.load_state_dict(torch.load(path, map_location=device))
                return net.to(device).eval()

            """");
        return Lf(py.ToString());
    }

    public static string Readme(LoadedModel model)
    {
        var doc = model.Document;
        bool gaussian = model.Config.Head == Head.Gaussian;
        return Lf($$"""
            # PepLab model "{{doc.Name}}" for PyTorch

            Exported by `pep model export` (PepLab {{PepLabVersion.Current}}) from a model trained with `pep train`.

            | file | content |
            |---|---|
            | `model.py` | the network as a `torch.nn.Module` (`PepLabModel`), the input encoding (`encode`), `load()` and `predict(frames)` |
            | `state_dict.pt` | the trained weights and batch-norm statistics, for `torch.load` and `load_state_dict` |

            Layers: `{{doc.Layers}}`. Input: {{EncodingText(model.Config.Encoding)}}. Output: {{OutputText(model.Config)}}.

            ```python
            import sys
            sys.path.insert(0, "path/to/this/folder")
            import h5py
            import model

            net = model.load()                                # eval mode; model.load(device="cuda") for a GPU
            frames = h5py.File("run.h5")["frames"][:200]       # uint8 (N, rows, columns), values 0..4
            {{(gaussian ? "p_t, sigma = net.predict(frames)                   # P_t per frame; sigma: standard deviation of ln P_t" : "p_t = net.predict(frames)                          # P_t per frame, float64")}}
            ```

            `net(model.encode(frames))` gives the raw outputs ({{(gaussian ? "mean and log variance of " : "")}}{{(model.Config.Target == TargetTransform.Log ? "ln P_t" : "P_t")}}).
            `predict` matches `pep predict` on the same frames to within float32 rounding.

            """);
    }

    private static string EncodingText(InputEncoding e) => e switch
    {
        InputEncoding.Ordinal => "one channel, the site value / 4 (empty 0, up 0.25, right 0.5, down 0.75, left 1)",
        InputEncoding.Occupancy => "one channel, 1 where a particle is, 0 where the site is empty",
        _ => "four channels (up, right, down, left), 1 where a particle of that orientation is",
    };

    private static string OutputText(ModelConfig c)
    {
        if (c.Head == Head.Gaussian)
            return "two values, the mean of ln P_t (P_t = exp(mean)) and its log variance; sigma, the standard deviation of ln P_t, " +
                   "is SIGMA_SCALE * exp(clamp(log_var, -12, 12) / 2), SIGMA_SCALE being the factor fitted after training";
        return c.Target == TargetTransform.Log ? "one value, ln P_t (P_t = exp(output))" : "one value, P_t itself";
    }

    private static string EncodingCode(InputEncoding e) => e switch
    {
        InputEncoding.Ordinal => """
                return frames.to(torch.float32).div(4.0).unsqueeze(1)

            """,
        InputEncoding.Occupancy => """
                return (frames > 0).to(torch.float32).unsqueeze(1)

            """,
        _ => """
                codes = torch.arange(1, 5, dtype=torch.uint8, device=frames.device).view(1, 4, 1, 1)
                return (frames.unsqueeze(1) == codes).to(torch.float32)

            """,
    };

    /// <summary>PepLab's padding rules (ModelShape.PlanAxis) and the pooling helpers the model uses.</summary>
    private static string Helpers(IReadOnlyList<PyTorchLayer> plan)
    {
        var text = new StringBuilder(""""


            def plan_axis(n, kernel, stride, padding):
                """Sites PepLab adds before and after an axis of n sites for a window of kernel moving by stride.

                padding: "same" (Keras/TensorFlow: output ceil(n / stride), an odd extra site at the end),
                "circular" (periodic wrap, like the lattice; stride must divide n), "valid" (none), or an
                int p (p zeros each side); "valid" and p need (n + 2p - kernel) / stride to be whole.
                """
                if padding == "same":
                    total = max((-(-n // stride) - 1) * stride + kernel - n, 0)
                elif padding == "circular":
                    if n % stride:
                        raise ValueError(f"stride {stride} does not divide {n}: the windows do not tile the periodic lattice")
                    total = max((n // stride - 1) * stride + kernel - n, 0)
                else:
                    p = 0 if padding == "valid" else padding
                    if n + 2 * p < kernel or (n + 2 * p - kernel) % stride:
                        raise ValueError(f"kernel {kernel}, stride {stride}, padding {padding!r} do not tile {n} sites")
                    return p, p
                return total // 2, total - total // 2


            def pad(x, kernel, stride, padding, fill=0.0):
                """x (N, C, rows, columns) padded as PepLab pads it (see plan_axis): wrapped, or filled with fill."""
                top, bottom = plan_axis(x.shape[2], kernel, stride, padding)
                left, right = plan_axis(x.shape[3], kernel, stride, padding)
                if padding == "circular":
                    return F.pad(x, (left, right, top, bottom), mode="circular")
                return F.pad(x, (left, right, top, bottom), value=fill)

            """");
        var pools = plan.Select(p => p.Layer).OfType<PoolLayer>().ToList();
        if (pools.Any(p => p.Max))
            text.Append(""""


                def max_pool(x, kernel, stride, padding):
                    """MAXPOOL: padded sites hold -inf, so they never win (circular pads are real sites)."""
                    return F.max_pool2d(pad(x, kernel, stride, padding, fill=float("-inf")), kernel, stride)

                """");
        if (pools.Any(p => !p.Max))
            text.Append(""""


                def avg_pool(x, kernel, stride, padding):
                    """AVGPOOL: the mean over the window's lattice sites (zero pads are not counted; circular pads are real sites)."""
                    sums = F.avg_pool2d(pad(x, kernel, stride, padding), kernel, stride)
                    if padding == "circular":
                        return sums
                    share = F.avg_pool2d(pad(torch.ones_like(x[:1, :1]), kernel, stride, padding), kernel, stride)
                    return sums / share

                """");
        return text.ToString();
    }

    private static string NetworkClass(IReadOnlyList<PyTorchLayer> plan, ModelConfig config)
    {
        var init = new List<string>();
        var forward = new List<string>();
        foreach (var p in plan)
        {
            var (module, line) = Layer(p);
            if (module is not null) init.Add($"        self.{p.Attribute} = {module}");
            string note = p.Layer is FlattenLayer ? " in NCHW order (channel, then row, then column)" : "";
            forward.Add($"        {line}  # {p.Shape.Text} -> {p.Shape.ShapeText}{note}");
        }
        bool gaussian = config.Head == Head.Gaussian;
        string toP = config.Target == TargetTransform.Log ? "torch.exp(target)  # the network regresses ln P_t" : "target  # the network regresses P_t itself";
        var text = new StringBuilder($$""""


            class PepLabModel(nn.Module):
                """The network, layer by layer; forward takes encode(frames) and returns (N, {{config.Outputs}}): {{(gaussian ? "the mean and log variance of " : "")}}{{(config.Target == TargetTransform.Log ? "ln P_t" : "P_t")}}."""

                def __init__(self):
                    super().__init__()

            """");
        foreach (var l in init) text.Append(l).Append('\n');
        text.Append("""

                def forward(self, x):

            """);
        foreach (var l in forward) text.Append(l).Append('\n');
        text.Append($$""""
                    return x

                @torch.no_grad()
                def predict(self, frames):
                    """{{(gaussian ? "(P_t, sigma) of each frame, float64 (N,) each; sigma is the standard deviation of ln P_t" : "P_t of each frame, float64 (N,)")}}.

                    frames as encode takes them. Switches the network to eval mode (batch norm uses its
                    running statistics, dropout is off), as PepLab predicts.
                    """
                    x = encode(frames)
                    if not SIZE_AGNOSTIC and tuple(x.shape[2:]) != LATTICE:
                        raise ValueError(f"frames are {tuple(x.shape[2:])}; this model takes {LATTICE} only")
                    self.eval()
                    out = self(x.to(next(self.parameters()).device)).double().cpu()
                    target, slope = calibrate(out[:, 0])
                    p_t = {{toP}}

            """");
        text.Append(gaussian
            ? """
                      sigma = slope * SIGMA_SCALE * torch.exp(0.5 * out[:, 1].clamp(-LOG_VAR_LIMIT, LOG_VAR_LIMIT))
                      return p_t, sigma

              """
            : """
                      return p_t

              """);
        return text.ToString();
    }

    /// <summary>Numbers as a Python list's items (round-trip precision).</summary>
    private static string Floats(IReadOnlyList<double>? xs) => xs is null ? "" : string.Join(", ", xs.Select(Float));

    /// <summary>The module of one layer (null if it has none) and its line in forward.</summary>
    private static (string? Module, string Line) Layer(PyTorchLayer p)
    {
        string self = $"self.{p.Attribute}";
        switch (p.Layer)
        {
            case ConvLayer conv:
                return ($"nn.Conv2d({p.InputChannels}, {conv.Filters}, kernel_size={conv.Kernel}, stride={conv.Stride})  # padding is added in forward",
                    $"x = {Activate($"{self}(pad(x, {conv.Kernel}, {conv.Stride}, {PaddingArgument(conv.Padding, conv.Pad)}))", conv.EffectiveActivation(p.IsLast))}");
            case PoolLayer pool:
                return (null, $"x = {(pool.Max ? "max_pool" : "avg_pool")}(x, {pool.Kernel}, {pool.Stride}, {PaddingArgument(pool.Padding, pool.Pad)})");
            case BatchNormLayer bn:
                string momentum = (1 - bn.Momentum).ToString("G12", CultureInfo.InvariantCulture);
                return ($"nn.BatchNorm{(p.OnVector ? "1" : "2")}d({p.InputChannels}, eps={Float(BatchNormLayer.Epsilon)}, momentum={momentum})  # Keras momentum {LayerSpec.Num(bn.Momentum)}",
                    $"x = {self}(x)");
            case DenseLayer dense:
                string module = p.OnVector
                    ? $"nn.Linear({p.InputChannels}, {dense.Units})"
                    : $"nn.Conv2d({p.InputChannels}, {dense.Units}, kernel_size=1)  # FC before FLATTEN/GAP acts on each site: a 1x1 convolution";
                return (module, $"x = {Activate($"{self}(x)", dense.EffectiveActivation(p.IsLast))}");
            case DropoutLayer drop:
                return ($"nn.Dropout(p={LayerSpec.Num(drop.Rate)})  # off in eval mode", $"x = {self}(x)");
            case ActivationLayer act:
                return (null, $"x = {Activate("x", act.Kind)}");
            case FlattenLayer:
                return (null, "x = torch.flatten(x, 1)");
            case GlobalAveragePoolLayer:
                return (null, "x = x.mean(dim=(2, 3))");
            default:
                throw new InvalidOperationException($"no PyTorch form for {p.Layer}");
        }
    }

    private static string Activate(string x, Activation a) => a switch
    {
        Activation.Relu => $"F.relu({x})",
        Activation.Tanh => $"torch.tanh({x})",
        Activation.Sigmoid => $"torch.sigmoid({x})",
        Activation.Softmax => $"torch.softmax({x}, dim=1)",
        _ => x,
    };

    private static string PaddingArgument(Padding padding, int pad) => padding switch
    {
        Padding.Same => "\"same\"",
        Padding.Valid => "\"valid\"",
        Padding.Circular => "\"circular\"",
        _ => pad.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A Python float literal that reads back as the same double.</summary>
    private static string Float(double x)
    {
        string s = x.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    private static string Lf(string s) => s.ReplaceLineEndings("\n");
}
