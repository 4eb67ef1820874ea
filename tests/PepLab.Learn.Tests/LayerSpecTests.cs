using PepLab.Core;

namespace PepLab.Learn.Tests;

public class LayerSpecTests
{
    [Theory]
    [InlineData(Architectures.SeedStarterLayers)]
    [InlineData(Architectures.SeedDeepLayers)]
    [InlineData(Architectures.PepLabLayers)]
    [InlineData("INPUT(4) => CONV(8,k5,s1,valid,tanh) => AVGPOOL(2,s1,circular) => BN(0.9) => RELU => GAP => DO(0.5) => FC(16,sigmoid) => FC(1,tanh)")]
    [InlineData("CONV(2,k3,s2,p1,linear) => MAXPOOL(2,valid) => FLATTEN => BN => FC(4) => FC(1)")]
    public void CanonicalTextRoundTrips(string text)
    {
        var spec = LayerSpec.Parse(text);
        string canonical = spec.ToString();
        var again = LayerSpec.Parse(canonical);
        Assert.Equal(spec, again);
        Assert.Equal(canonical, again.ToString());
    }

    [Fact]
    public void LooseSpellingParsesToTheCanonicalForm()
    {
        var spec = LayerSpec.Parse(" input -> conv(3, k5, s3, same, relu) -> flatten -> fc(1, linear) ");
        Assert.Equal("CONV(3,k5,s3) => FLATTEN => FC(1)", spec.ToString());
        Assert.Equal(LayerSpec.Parse(Architectures.SeedStarterLayers), spec);
        var conv = Assert.IsType<ConvLayer>(spec.Layers[0]);
        Assert.Equal((3, 5, 3, Padding.Same), (conv.Filters, conv.Kernel, conv.Stride, conv.Padding));
        Assert.Equal(Activation.Relu, conv.EffectiveActivation(isLast: false));
        Assert.Equal(Activation.Linear, ((DenseLayer)spec.Layers[^1]).EffectiveActivation(isLast: true));
    }

    [Fact]
    public void SeedDeepIsTheReferenceDiagram()
    {
        var body = LayerSpec.Parse(Architectures.SeedDeepLayers).Body.ToList();
        // INPUT => CONV => BN => CONV => BN => MAXPOOL => CONV => BN => CONV => BN => MAXPOOL => FC => DO => FC => FLATTEN => FC
        Assert.Equal(
            ["CONV", "BN", "CONV", "BN", "MAXPOOL", "CONV", "BN", "CONV", "BN", "MAXPOOL", "FC", "DO", "FC", "FLATTEN", "FC"],
            body.Select((l, i) => l.Format(i == body.Count - 1).Split('(')[0]).ToArray());
        Assert.Equal(new ConvLayer(3, 3, 3, Padding.Same, 0, null), body[0]);
        Assert.Equal(new PoolLayer(true, 3, 3, Padding.Same, 0), body[4]);
        Assert.Equal(new ConvLayer(6, 3, 1, Padding.Same, 0, null), body[5]);
        Assert.Equal(new DenseLayer(128, null), body[10]);
        Assert.Equal(new DropoutLayer(0.2), body[11]);
        Assert.Equal(new DenseLayer(10, Activation.Softmax), body[12]);
        Assert.Equal(new DenseLayer(1, null), body[14]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("CONV(3,k5,s3) => FLATX => FC(1)", "unknown layer 'FLATX'")]
    [InlineData("CONV(3,k5,s3 => FLATTEN => FC(1)", "missing ')'")]
    [InlineData("CONV(3,k5,q3) => FLATTEN => FC(1)", "unknown argument 'q3'")]
    [InlineData("CONV(0) => FLATTEN => FC(1)", "at least 1")]
    [InlineData("CONV(x) => FLATTEN => FC(1)", "whole number")]
    [InlineData("CONV(3,k3,k5) => FLATTEN => FC(1)", "given twice")]
    [InlineData("CONV(3) =>  => FLATTEN => FC(1)", "layer 2 is empty")]
    [InlineData("CONV(3) => FC(1)", "FLATTEN or GAP")]
    [InlineData("CONV(3) => FLATTEN", "must end with FC(1)")]
    [InlineData("CONV(3) => FLATTEN => CONV(3) => FC(1)", "after FLATTEN")]
    [InlineData("CONV(3) => GAP => FLATTEN => FC(1)", "already a vector")]
    [InlineData("CONV(3) => DO(1.5) => GAP => FC(1)", "[0, 1)")]
    [InlineData("CONV(3) => GAP => FC(1) => INPUT(4)", "INPUT may only come first")]
    [InlineData("CONV(3) => BN(2) => GAP => FC(1)", "momentum")]
    [InlineData("FLATTEN(2) => FC(1)", "takes no arguments")]
    public void BadSpecsAreRejectedWithAMessage(string text, string expected)
    {
        var e = Assert.Throws<PepLabInputException>(() => LayerSpec.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("layers: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownModelAndEncodingMismatchAreInputErrors()
    {
        Assert.Contains("unknown model 'resnet'", Assert.Throws<PepLabInputException>(() => Architectures.Resolve("resnet", null, null, null)).Message);
        var mismatch = Assert.Throws<PepLabInputException>(() =>
            Architectures.Resolve(null, "INPUT(4) => CONV(3) => GAP => FC(1)", InputEncoding.Ordinal, null));
        Assert.Contains("4 input channel", mismatch.Message);
        Assert.StartsWith("encoding: ", mismatch.Message);
        Assert.Equal(4, Architectures.Resolve(null, "INPUT(4) => CONV(3) => GAP => FC(1)", InputEncoding.OneHot, null).Channels);
    }

    [Fact]
    public void NamedModelsCarryTheirEncodingAndTarget()
    {
        var deep = Architectures.Resolve(Architectures.SeedDeep, null, null, null);
        Assert.Equal((InputEncoding.Ordinal, TargetTransform.Identity), (deep.Encoding, deep.Target));
        var peplab = Architectures.Resolve(null, null, null, null);
        Assert.Equal(Architectures.PepLab, peplab.Name);
        Assert.Equal((InputEncoding.OneHot, TargetTransform.Log), (peplab.Encoding, peplab.Target));
        Assert.True(peplab.SizeAgnostic);
        var gaussian = Architectures.Resolve(null, null, null, null, Head.Gaussian);
        Assert.Equal(2, ((DenseLayer)gaussian.Layers.Layers[^1]).Units);
        Assert.Throws<PepLabInputException>(() => Architectures.Resolve(Architectures.SeedDeep, null, null, null, Head.Gaussian));
    }
}
