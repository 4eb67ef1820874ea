using PepLab.Core;
using static TorchSharp.torch;

namespace PepLab.Learn.Tests;

public class ModelShapeTests
{
    public static TheoryData<string, int> ModelsAndSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var m in Architectures.Names)
            foreach (var n in new[] { 64, 128 })
                data.Add(m, n);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndSizes))]
    public void EachModelBuildsWithTheRightOutputShape(string name, int side)
    {
        var config = Architectures.Resolve(name, null, null, null);
        var predicted = config.Shapes(side, side);
        using var net = new Network(config, side, side);
        net.eval();
        using var frames = randint(0, 5, [3, side, side], ScalarType.Byte);
        using var output = net.call(frames);
        Assert.Equal(new long[] { 3, 1 }, output.shape);
        // Shape inference agrees with libtorch after every layer.
        var actual = net.TraceShapes(frames);
        Assert.Equal(predicted.Count, actual.Count);
        for (int i = 0; i < predicted.Count; i++)
        {
            var p = predicted[i];
            long[] expected = p.IsVector ? [3, p.Channels] : [3, p.Channels, p.Height, p.Width];
            Assert.Equal(expected, actual[i]);
        }
        // Trainable parameters as counted by libtorch.
        long parameters = net.parameters().Sum(t => t.numel());
        Assert.Equal(predicted.Sum(s => s.Trainable), parameters);
    }

    [Fact]
    public void SeedDeepShapesFollowKerasSamePadding()
    {
        var shapes = Architectures.Resolve(Architectures.SeedDeep, null, null, null).Shapes(128, 128);
        Assert.Equal("3 x 43 x 43", shapes[0].ShapeText);   // ceil(128 / 3)
        Assert.Equal("3 x 15 x 15", shapes[4].ShapeText);   // ceil(43 / 3)
        Assert.Equal("6 x 5 x 5", shapes[9].ShapeText);
        Assert.Equal("10 x 5 x 5", shapes[12].ShapeText);   // FC before FLATTEN acts per site
        Assert.Equal("250", shapes[13].ShapeText);
        Assert.Equal(0, shapes[0].Rows!.Value.Before);      // the uneven pad goes to the end, as in TensorFlow
        Assert.Equal(1, shapes[0].Rows!.Value.After);
    }

    [Fact]
    public void ReceptiveFieldFollowsAraujo()
    {
        // F0 = sum_l (k_l - 1) prod_{i<l} s_i + 1; seed-deep's convolutions and pools:
        // (3,3) (3,1) (3,3) (3,1) (3,1) (3,3): 1 + 2*1 + 2*3 + 2*3 + 2*9 + 2*9 + 2*9 = 69
        Assert.Equal(69, ModelShape.ReceptiveField([(3, 3), (3, 1), (3, 3), (3, 1), (3, 1), (3, 3)]));
        var shapes = Architectures.Resolve(Architectures.SeedDeep, null, null, null).Shapes(128, 128);
        Assert.Equal(69, shapes[9].ReceptiveField);
        Assert.Equal(27, shapes[9].Jump);
        Assert.Null(shapes[13].ReceptiveField);
        Assert.Equal(5, Architectures.Resolve(Architectures.SeedStarter, null, null, null).Shapes(128, 128)[0].ReceptiveField);
        Assert.Equal(39, Architectures.Resolve(Architectures.PepLab, null, null, null).Shapes(128, 128)[^4].ReceptiveField);
    }

    [Theory]
    [InlineData("CONV(3,k4,s3,valid) => FLATTEN => FC(1)", 128, "not a whole number")]
    [InlineData("CONV(3,k3,s3,circular) => GAP => FC(1)", 128, "does not divide")]
    [InlineData("CONV(3,k3,s2,p0) => FLATTEN => FC(1)", 128, "not a whole number")]
    [InlineData("CONV(3,k9,s1,valid) => FLATTEN => FC(1)", 8, "larger than")]
    [InlineData(Architectures.PepLabLayers, 100, "does not divide")]
    [InlineData("CONV(3) => GAP => FC(2)", 32, "must end in 1")]
    public void CombinationsThatDoNotTileAreRejected(string layers, int side, string expected)
    {
        var config = Architectures.Resolve(null, layers, null, null);
        var e = Assert.Throws<PepLabInputException>(() => config.Shapes(side, side));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SamePaddingPutsTheExtraZeroAtTheEnd()
    {
        // CONV(1,k3,s3) with all-one weights on an all-ones 5x5 input: 2 outputs per axis, and
        // "same" pads (2-1)*3 + 3 - 5 = 1 row/column, at the end (TensorFlow's rule): the windows
        // cover rows 0-2 and 3-4 + pad, so the sums are 9, 6, 6, 4.
        Assert.Equal(new AxisPlan(5, 2, 0, 1), ModelShape.PlanAxis(5, 3, 3, Padding.Same, 0, () => "", "rows"));
        var config = Architectures.Resolve(null, "CONV(1,k3,s3,linear) => GAP => FC(1)", InputEncoding.Occupancy, null);
        using var net = new Network(config, 5, 5);
        using (no_grad()) net.FirstKernels()!.fill_(1.0f);
        using var frames = ones([1, 5, 5], ScalarType.Byte);
        using var conv = net.Partial(frames, 1);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, conv.shape);
        Assert.Equal(new[] { 9f, 6f, 6f, 4f }, conv.data<float>().ToArray());
        // Circular padding wraps instead: every window sees nine ones.
        var circular = Architectures.Resolve(null, "CONV(1,k3,s1,circular,linear) => GAP => FC(1)", InputEncoding.Occupancy, null);
        using var net2 = new Network(circular, 5, 5);
        using (no_grad()) net2.FirstKernels()!.fill_(1.0f);
        using var conv2 = net2.Partial(frames, 1);
        Assert.All(conv2.data<float>().ToArray(), v => Assert.Equal(9f, v));
    }

    [Fact]
    public void OneHotEncodingHasOneChannelPerOrientation()
    {
        using var frame = tensor(new byte[] { 0, 1, 2, 3, 4, 0 }, [1, 2, 3]);
        using var onehot = Network.Encode(frame, InputEncoding.OneHot);
        Assert.Equal(new long[] { 1, 4, 2, 3 }, onehot.shape);
        var v = onehot.data<float>().ToArray();
        for (int c = 0; c < 4; c++)
            for (int s = 0; s < 6; s++)
                Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 0 }[s] == c + 1 ? 1f : 0f, v[c * 6 + s]);
        using var ordinal = Network.Encode(frame, InputEncoding.Ordinal);
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f, 0f }, ordinal.data<float>().ToArray());
        using var occupancy = Network.Encode(frame, InputEncoding.Occupancy);
        Assert.Equal(new[] { 0f, 1f, 1f, 1f, 1f, 0f }, occupancy.data<float>().ToArray());
    }

    [Fact]
    public void PepLabModelIsTranslationInvariantAndSizeAgnostic()
    {
        var config = Architectures.Resolve(null, null, null, null);
        manual_seed(3);
        using var net = new Network(config, 64, 64);
        net.eval();
        var rng = new Random(5);
        var frame = new byte[64 * 64];
        for (int i = 0; i < frame.Length; i++) frame[i] = rng.NextDouble() < 0.3 ? (byte)rng.Next(1, 5) : (byte)0;
        var rolled = new byte[frame.Length];
        FrameTransforms.Roll(frame, rolled, 64, 64, 8, 16); // a shift by multiples of the total stride (8)
        using var x = tensor(frame, [1, 64, 64]);
        using var y = tensor(rolled, [1, 64, 64]);
        float a = net.call(x).item<float>(), b = net.call(y).item<float>();
        Assert.Equal(a, b, 4);
        using var big = randint(0, 5, [1, 96, 40], ScalarType.Byte);
        Assert.Equal(new long[] { 1, 1 }, net.call(big).shape);
    }
}
