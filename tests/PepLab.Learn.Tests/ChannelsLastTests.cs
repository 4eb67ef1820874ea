using static TorchSharp.torch;

namespace PepLab.Learn.Tests;

/// <summary>Few-channel convolutions compute channels-last on the CPU (<see cref="Network.ChannelsLast"/>): a layout, never another model.</summary>
public class ChannelsLastTests
{
    [Theory]
    [InlineData(Architectures.SeedDeep, true)]
    [InlineData(Architectures.PepLab, false)]       // 4 -> 16 channels: oneDNN's blocks are full
    [InlineData(Architectures.SeedStarter, false)]  // a 5x5 kernel
    public void FewChannelSmallKernelConvolutionsChooseChannelsLast(string model, bool expected)
    {
        using var net = new Network(Architectures.Resolve(model, null, null, null), 48, 48);
        Assert.Equal(expected, net.ChannelsLast);
        net.ChannelsLast = false;
        Assert.False(net.ChannelsLast);
        net.ChannelsLast = true;
        Assert.Equal(expected, net.ChannelsLast);
    }

    [Theory]
    [InlineData(Architectures.SeedDeep)]
    [InlineData(Architectures.PepLab)]
    [InlineData("custom", "CONV(2,k3,s1) => CONV(3,k3,s2,circular) => CONV(4,k1,s1) => CONV(12,k3,s1) => FLATTEN => FC(1)")]
    public void BothLayoutsGiveTheSameOutputsAndGradients(string model, string? layers = null)
    {
        var config = Architectures.Resolve(layers is null ? model : null, layers, null, null);
        var frames = randint(0, 5, [8, 48, 48], ScalarType.Byte, generator: new TorchSharp.torch.Generator(3));
        // One network, so the same weights; eval mode, so no dropout draws (other tests share
        // libtorch's generator) and batch norm uses fixed statistics: only the layout changes.
        using var net = new Network(config, 48, 48);
        net.eval();
        (float[] Output, float[] Gradients) Run(bool channelsLast)
        {
            net.ChannelsLast = channelsLast;
            net.zero_grad();
            using var scope = NewDisposeScope();
            var y = net.call(frames);
            y.pow(2).sum().backward();
            var grads = net.parameters().Where(p => p.grad is not null).SelectMany(p => p.grad!.data<float>().ToArray()).ToArray();
            return (y.data<float>().ToArray(), grads);
        }
        var plain = Run(false);
        var last = Run(true);
        Assert.Equal(plain.Output.Length, last.Output.Length);
        Assert.Equal(plain.Gradients.Length, last.Gradients.Length);
        for (int i = 0; i < plain.Output.Length; i++)
            Assert.True(Math.Abs(plain.Output[i] - last.Output[i]) <= 1e-4f * (1 + Math.Abs(plain.Output[i])), $"output {i}: {plain.Output[i]} vs {last.Output[i]}");
        double scale = plain.Gradients.Max(v => Math.Abs(v));
        Assert.True(scale > 0);
        for (int i = 0; i < plain.Gradients.Length; i++)
            Assert.True(Math.Abs(plain.Gradients[i] - last.Gradients[i]) <= 1e-4 * scale, $"gradient {i}: {plain.Gradients[i]} vs {last.Gradients[i]}");
    }
}
