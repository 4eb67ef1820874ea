using PepLab.Core;
using PepLab.Simulate;

namespace PepLab.Tests;

public class SimulatorTests
{
    [Fact]
    public void ParticleCountAndExclusionAreConservedEverySweep()
    {
        var lattice = new Lattice(12, 17);
        var sim = new PepSimulator(lattice, 0.4, 0.2, 11);
        int n = RunParameters.ParticleCount(0.4, 12, 17);
        Assert.Equal(n, sim.Particles);
        for (int sweep = 0; sweep < 300; sweep++)
        {
            sim.Sweep();
            var frame = sim.Frame.ToArray();
            int occupied = 0;
            foreach (var v in frame)
            {
                Assert.InRange(v, (byte)0, (byte)4);
                if (v != 0) occupied++;
            }
            Assert.Equal(n, occupied);
            // every particle position is a distinct occupied site: exclusion holds
            var positions = sim.Positions.ToArray();
            Assert.Equal(n, positions.Distinct().Count());
            Assert.All(positions, p => Assert.NotEqual(0, frame[p]));
        }
    }

    [Theory]
    [InlineData(Orientation.Up, -1, 0)]
    [InlineData(Orientation.Right, 0, 1)]
    [InlineData(Orientation.Down, 1, 0)]
    [InlineData(Orientation.Left, 0, -1)]
    public void WithoutTumblingALoneParticleMovesStraightAndWrapsAroundBothEdges(byte code, int dRow, int dColumn)
    {
        var lattice = new Lattice(3, 5); // nx != ny: rows wrap by 3, columns by 5
        var frame = new byte[lattice.Sites];
        frame[lattice.Index(1, 2)] = code;
        var sim = new PepSimulator(lattice, frame, tumble: 0, seed: 3);
        for (int k = 1; k <= 11; k++)
        {
            sim.Sweep();
            int expected = lattice.Index(1 + k * dRow, 2 + k * dColumn);
            Assert.Equal(expected, sim.Positions[0]);
            Assert.Equal(code, sim.Frame[expected]);
        }
    }

    [Fact]
    public void BlockedParticleStaysAndKeepsItsOrientationWithoutTumbling()
    {
        var lattice = new Lattice(4, 4);
        var frame = new byte[lattice.Sites];
        frame[lattice.Index(0, 0)] = Orientation.Right;
        frame[lattice.Index(0, 1)] = Orientation.Left; // they face each other: both blocked forever
        var sim = new PepSimulator(lattice, frame, tumble: 0, seed: 5);
        for (int k = 0; k < 20; k++) sim.Sweep();
        Assert.Equal(frame, sim.Frame.ToArray());
    }

    [Fact]
    public void AtTumbleOneOrientationsAreUniform()
    {
        var sim = new PepSimulator(new Lattice(32, 32), 0.3, 1.0, 99);
        var counts = new long[5];
        for (int sweep = 0; sweep < 400; sweep++)
        {
            sim.Sweep();
            foreach (var v in sim.Frame) counts[v]++;
        }
        double total = counts[1] + counts[2] + counts[3] + counts[4];
        double chi2 = 0;
        for (int c = 1; c <= 4; c++) chi2 += Math.Pow(counts[c] - total / 4, 2) / (total / 4);
        // Snapshots are correlated only through sites, not orientations (every particle redraws each sweep).
        // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
        Assert.True(chi2 < 16.27, $"chi-square {chi2:0.00} for counts {string.Join(",", counts)}");
    }

    [Fact]
    public void TumbleRateMatchesPt()
    {
        // On a full lattice nobody moves, so every change of a site is a tumble. A tumble redraws
        // from all four orientations, so the observed change rate is 3/4 P_t.
        const double pt = 0.3;
        var lattice = new Lattice(10, 10);
        var full = Enumerable.Repeat(Orientation.Up, lattice.Sites).ToArray();
        var jammed = new PepSimulator(lattice, full, pt, 23);
        long changes = 0, updates = 0;
        for (int sweep = 0; sweep < 2000; sweep++)
        {
            var before = jammed.Frame.ToArray();
            jammed.Sweep();
            var after = jammed.Frame;
            for (int s = 0; s < before.Length; s++) if (before[s] != after[s]) changes++;
            updates += lattice.Sites;
        }
        double rate = (double)changes / updates;
        double expected = 0.75 * pt;
        double sigma = Math.Sqrt(expected * (1 - expected) / updates);
        Assert.InRange(rate, expected - 5 * sigma, expected + 5 * sigma);
    }

    [Fact]
    public void SameSeedGivesIdenticalFramesAndDifferentSeedsDiffer()
    {
        static byte[] RunFrames(ulong seed)
        {
            var sim = new PepSimulator(new Lattice(16, 24), 0.25, 0.1, seed);
            var all = new List<byte>();
            for (int k = 0; k < 50; k++)
            {
                sim.Iterate(3);
                all.AddRange(sim.Frame.ToArray());
            }
            return all.ToArray();
        }

        var a = RunFrames(42);
        var b = RunFrames(42);
        var c = RunFrames(43);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void SameSeedIsIdenticalWhenRunsGoInParallel()
    {
        static byte[] Final(ulong seed)
        {
            var sim = new PepSimulator(new Lattice(20, 20), 0.3, 0.05, seed);
            sim.Iterate(200);
            return sim.Frame.ToArray();
        }

        var serial = Enumerable.Range(0, 4).Select(i => Final((ulong)i)).ToArray();
        var parallel = new byte[4][];
        Parallel.For(0, 4, i => parallel[i] = Final((ulong)i));
        for (int i = 0; i < 4; i++) Assert.Equal(serial[i], parallel[i]);
    }

    [Fact]
    public void InitialPlacementIsUniform()
    {
        // Each site is occupied with probability N / S; over many seeds the counts per site are binomial.
        var lattice = new Lattice(6, 6);
        var hits = new int[lattice.Sites];
        const int seeds = 4000;
        for (int seed = 0; seed < seeds; seed++)
        {
            var sim = new PepSimulator(lattice, 0.25, 0.5, (ulong)seed);
            foreach (var p in sim.Positions) hits[p]++;
        }
        double p0 = 9.0 / 36;
        double mean = seeds * p0, sd = Math.Sqrt(seeds * p0 * (1 - p0));
        Assert.All(hits, h => Assert.InRange(h, mean - 5 * sd, mean + 5 * sd));
    }
}
