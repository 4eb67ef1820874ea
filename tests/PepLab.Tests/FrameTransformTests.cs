using PepLab.Core;
using PepLab.Simulate;

namespace PepLab.Tests;

public class FrameTransformTests
{
    private static byte[] RandomFrame(int nx, int ny, int seed, double density = 0.3)
    {
        var sim = new PepSimulator(new Lattice(nx, ny), density, 0.1, (ulong)seed);
        sim.Iterate(3);
        return sim.Frame.ToArray();
    }

    /// <summary>Far-apart particles, no collisions: one sweep at P_t = 0 is deterministic.</summary>
    private static byte[] Sparse(int n)
    {
        var f = new byte[n * n];
        f[1 * n + 2] = Orientation.Right;
        f[5 * n + 6] = Orientation.Up;
        f[9 * n + 1] = Orientation.Left;
        f[3 * n + 9] = Orientation.Down;
        f[7 * n + 3] = Orientation.Right;
        return f;
    }

    private static byte[] Step(byte[] frame, int nx, int ny)
    {
        var sim = new PepSimulator(new Lattice(nx, ny), frame, 0, 1);
        sim.Sweep();
        return sim.Frame.ToArray();
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)]
    [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)]
    public void SymmetriesCommuteWithTheDynamics(int element)
    {
        // A particle pointing right still points along its motion after the transform:
        // transforming then stepping equals stepping then transforming.
        const int n = 11;
        var f = Sparse(n);
        var g = new byte[n * n];
        FrameTransforms.Symmetry(f, g, n, n, element);
        var stepThenTransform = new byte[n * n];
        FrameTransforms.Symmetry(Step(f, n, n), stepThenTransform, n, n, element);
        Assert.Equal(stepThenTransform, Step(g, n, n));
    }

    [Theory]
    [InlineData(0, 0)] [InlineData(3, 5)] [InlineData(-2, 7)] [InlineData(13, -1)]
    public void RollsCommuteWithTheDynamicsAndKeepValidFrames(int rows, int columns)
    {
        const int nx = 11, ny = 13;
        var f = new byte[nx * ny];
        f[2 * ny + 3] = Orientation.Up;
        f[8 * ny + 10] = Orientation.Left;
        f[5 * ny + 0] = Orientation.Down;
        var rolled = new byte[f.Length];
        FrameTransforms.Roll(f, rolled, nx, ny, rows, columns);
        var expected = new byte[f.Length];
        FrameTransforms.Roll(Step(f, nx, ny), expected, nx, ny, rows, columns);
        Assert.Equal(expected, Step(rolled, nx, ny));
    }

    [Theory]
    [InlineData(0)] [InlineData(2)] [InlineData(4)] [InlineData(6)]
    public void EverySymmetryMapsAValidFrameToAValidOne(int element)
    {
        foreach (var (nx, ny) in new[] { (16, 16), (10, 14) })
        {
            var f = RandomFrame(nx, ny, element + nx);
            var g = new byte[f.Length];
            FrameTransforms.Symmetry(f, g, nx, ny, element);
            Assert.True(Orientation.IsValidFrame(g));
            Assert.Equal(f.Count(v => v != 0), g.Count(v => v != 0));
            // the orientation histogram is permuted, never merged
            var before = Enumerable.Range(1, 4).Select(c => f.Count(v => v == c)).OrderBy(x => x);
            var after = Enumerable.Range(1, 4).Select(c => g.Count(v => v == c)).OrderBy(x => x);
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public void QuarterTurnsNeedASquareLattice()
    {
        var f = new byte[10 * 14];
        Assert.False(FrameTransforms.Applies(1, 10, 14));
        Assert.Throws<ArgumentException>(() => FrameTransforms.Symmetry(f, new byte[f.Length], 10, 14, 1));
    }

    [Fact]
    public void GroupLaws()
    {
        const int n = 9;
        var f = RandomFrame(n, n, 3);
        var once = new byte[f.Length];
        var twice = new byte[f.Length];
        var four = new byte[f.Length];
        // rotate90 applied 4 times is the identity; mirror twice is the identity
        FrameTransforms.Symmetry(f, once, n, n, 1);
        FrameTransforms.Symmetry(once, twice, n, n, 1);
        FrameTransforms.Symmetry(twice, once, n, n, 1);
        FrameTransforms.Symmetry(once, four, n, n, 1);
        Assert.Equal(f, four);
        FrameTransforms.Symmetry(f, once, n, n, 4);
        FrameTransforms.Symmetry(once, twice, n, n, 4);
        Assert.Equal(f, twice);
        // rotate90 twice equals rotate180
        FrameTransforms.Symmetry(f, once, n, n, 1);
        FrameTransforms.Symmetry(once, twice, n, n, 1);
        FrameTransforms.Symmetry(f, once, n, n, 2);
        Assert.Equal(once, twice);
    }

    [Fact]
    public void MatchesNumpyRollRot90AndFliplr()
    {
        var python = ExternalTools.Python("numpy");
        const int n = 7, nx = 5, ny = 8;
        var sq = RandomFrame(n, n, 1, 0.5);
        var rect = RandomFrame(nx, ny, 2, 0.5);
        string Literal(byte[] f) => "[" + string.Join(",", f) + "]";
        var output = ExternalTools.RunPython(python, $$"""
            import numpy as np
            sq = np.array({{Literal(sq)}}, dtype=np.uint8).reshape({{n}}, {{n}})
            rect = np.array({{Literal(rect)}}, dtype=np.uint8).reshape({{nx}}, {{ny}})
            pos = lambda a: (a > 0).astype(int).ravel().tolist()
            print(" ".join(str(v) for v in np.roll(rect, (3, -2), axis=(0, 1)).ravel()))
            for k in range(4):
                print(" ".join(str(v) for v in pos(np.rot90(sq, k))))
                print(" ".join(str(v) for v in pos(np.rot90(np.fliplr(sq), k))))
            """).Trim().Split('\n');
        var rolled = new byte[rect.Length];
        FrameTransforms.Roll(rect, rolled, nx, ny, 3, -2);
        Assert.Equal(output[0].Trim(), string.Join(" ", rolled));
        var g = new byte[sq.Length];
        for (int k = 0; k < 4; k++)
        {
            FrameTransforms.Symmetry(sq, g, n, n, k);
            Assert.Equal(output[1 + 2 * k].Trim(), string.Join(" ", g.Select(v => v > 0 ? 1 : 0)));
            FrameTransforms.Symmetry(sq, g, n, n, 4 + k);
            Assert.Equal(output[2 + 2 * k].Trim(), string.Join(" ", g.Select(v => v > 0 ? 1 : 0)));
        }
    }
}
