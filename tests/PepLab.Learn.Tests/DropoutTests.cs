using static TorchSharp.torch;

namespace PepLab.Learn.Tests;

/// <summary>DO(r): PepLab draws the dropout mask itself (<see cref="DropoutBlock"/>).</summary>
public class DropoutTests
{
    [Fact]
    public void TheMaskZeroesTheRateAndScalesTheRestAsNnDropout()
    {
        var mask = new float[200_003];
        DropoutBlock.Fill(mask, 0.2, 17);
        int zeros = mask.Count(v => v == 0);
        Assert.All(mask, v => Assert.True(v == 0 || v == 1.25f));
        // Binomial(200003, 0.2): sd about 179; five sd either side.
        Assert.InRange(zeros, 200_003 * 0.2 - 900, 200_003 * 0.2 + 900);
        // The mean is kept: E[mask] = 1.
        Assert.Equal(1.0, mask.Average(v => (double)v), 2);
        // No pattern between neighbours (16-bit slices of one draw): a zero is followed by a zero about 20% of the time.
        int pairs = Enumerable.Range(0, mask.Length - 1).Count(i => mask[i] == 0 && mask[i + 1] == 0);
        Assert.InRange((double)pairs / zeros, 0.18, 0.22);
    }

    [Fact]
    public void TrainingDropsAndEvalPassesThroughAndTheTorchSeedFixesTheMask()
    {
        var block = new DropoutBlock(0.3);
        var x = ones(4, 8, 16, 16);
        block.train();
        manual_seed(5);
        var a = block.call(x).data<float>().ToArray();
        manual_seed(5);
        var b = block.call(x).data<float>().ToArray();
        var c = block.call(x).data<float>().ToArray();
        Assert.Equal(a, b);        // libtorch's generator gives each call its seed: --seed and a resumed training fix the masks
        Assert.NotEqual(b, c);     // and the next call draws another
        Assert.InRange(a.Count(v => v == 0) / (double)a.Length, 0.25, 0.35);
        Assert.All(a, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7f) < 1e-6));

        // The gradient goes through the kept values only, scaled as they are.
        var g = x.detach().requires_grad_(true);
        manual_seed(5);
        block.call(g).sum().backward();
        Assert.Equal(a, g.grad!.data<float>().ToArray());

        block.eval();
        Assert.Same(x, block.call(x));
    }
}
