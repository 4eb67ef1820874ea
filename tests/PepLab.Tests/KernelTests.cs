using System.Diagnostics;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary>
/// The vectorised kernel (simulation stream 2): its SIMD paths agree bit for bit, its shuffle
/// indices are exactly uniform, and its steady state is the one of the stream 1 kernel.
/// </summary>
public class KernelTests
{
    private static readonly SimdWidth[] Widths = [SimdWidth.Scalar, SimdWidth.Vector256, SimdWidth.Vector512];

    public static TheoryData<SimdWidth> AllWidths => new(Widths);

    [Theory]
    [InlineData(16, 24, 0.25, 40)]
    [InlineData(256, 256, 0.8, 4)]    // 52428 particles: 16-bit draws with frequent Lemire rejections
    [InlineData(300, 300, 0.75, 3)]   // 67500 particles: ranges above 65535 take 32-bit draws
    public void EverySimdWidthGivesTheSameFrames(int nx, int ny, double density, int sweeps)
    {
        // On a CPU without AVX-512 (or AVX2) the wider widths fall back to the widest path it runs.
        var sims = Widths.Select(w => new PepSimulator(new Lattice(nx, ny), density, 0.1, 77) { Simd = w }).ToArray();
        for (int k = 0; k < sweeps; k++)
        {
            foreach (var sim in sims) sim.Sweep();
            for (int i = 1; i < sims.Length; i++)
                Assert.True(sims[0].Frame.SequenceEqual(sims[i].Frame), $"sweep {k}: {Widths[i]} differs from {Widths[0]}");
        }
    }

    [Fact]
    public void SameSeedGivesTheSameFramesWithAnyThreadCountAndWidth()
    {
        static byte[] Final(ulong seed, SimdWidth width)
        {
            var sim = new PepSimulator(new Lattice(20, 28), 0.3, 0.05, seed) { Simd = width };
            sim.Iterate(150);
            return sim.Frame.ToArray();
        }

        var serial = Enumerable.Range(0, 6).Select(i => Final((ulong)i, SimdSupport.Default)).ToArray();
        var parallel = new byte[6][];
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 3 }, i => parallel[i] = Final((ulong)i, Widths[i % 3]));
        for (int i = 0; i < 6; i++) Assert.Equal(serial[i], parallel[i]);
        Assert.NotEqual(serial[0], serial[1]);
    }

    [Theory]
    [MemberData(nameof(AllWidths))]
    public void ParticlesAreConservedExclusiveAndKeepValidCodes(SimdWidth width)
    {
        var lattice = new Lattice(40, 56);
        var sim = new PepSimulator(lattice, 0.6, 0.3, 12) { Simd = width };
        int n = sim.Particles;
        var counts = new long[5];
        for (int sweep = 0; sweep < 100; sweep++)
        {
            sim.Sweep();
            var frame = sim.Frame;
            int occupied = 0;
            foreach (var v in frame)
            {
                Assert.InRange(v, (byte)0, (byte)4);
                counts[v]++;
                if (v != 0) occupied++;
            }
            Assert.Equal(n, occupied);
            var positions = sim.Positions.ToArray();
            Assert.Equal(n, positions.Distinct().Count());
            foreach (var p in positions) Assert.NotEqual(0, frame[p]);
        }
        // Every orientation code occurs (P_t = 0.3 mixes them within a few sweeps).
        for (int c = 1; c <= 4; c++) Assert.True(counts[c] > counts.Skip(1).Sum() / 5, $"code {c}: {counts[c]}");
    }

    [Theory]
    [InlineData(Orientation.Up, -1, 0)]
    [InlineData(Orientation.Right, 0, 1)]
    [InlineData(Orientation.Down, 1, 0)]
    [InlineData(Orientation.Left, 0, -1)]
    public void EveryWidthMovesACodeItsOwnWayAndWrapsOnAnOddLattice(byte code, int dRow, int dColumn)
    {
        foreach (var width in Widths)
        {
            var lattice = new Lattice(5, 7);
            var frame = new byte[lattice.Sites];
            frame[lattice.Index(1, 2)] = code;
            frame[lattice.Index(3, 5)] = code;
            var sim = new PepSimulator(lattice, frame, tumble: 0, seed: 8) { Simd = width };
            for (int k = 1; k <= 16; k++)
            {
                sim.Sweep();
                Assert.Equal(code, sim.Frame[lattice.Index(1 + k * dRow, 2 + k * dColumn)]);
                Assert.Equal(code, sim.Frame[lattice.Index(3 + k * dRow, 5 + k * dColumn)]);
                Assert.Equal(2, sim.Frame.ToArray().Count(v => v != 0));
            }
        }
    }

    [Fact]
    public void BothStreamsStartFromTheSamePlacement()
    {
        var lattice = new Lattice(30, 22);
        var current = new PepSimulator(lattice, 0.35, 0.1, 4242);
        var stream1 = new PepSimulatorStream1(lattice, 0.35, 0.1, 4242);
        Assert.True(current.Frame.SequenceEqual(stream1.Frame));
        Assert.Equal(stream1.Positions.ToArray(), current.Positions.ToArray());
    }

    [Fact]
    public void TheVisitingOrderIsAUniformPermutation()
    {
        // Four particles in a row pointing right with empty columns ahead, no tumbling. The front one
        // always moves; the k-th from the front moves only if the k - 1 ahead of it moved before it.
        // So at least k move exactly when the first k are visited front to back: P(moved >= k) = 1/k!
        // for a uniform order, P(moved = k) = 1/2, 1/3, 1/8, 1/24 for k = 1..4. The last mover leaves
        // column 4 - moved empty.
        var lattice = new Lattice(2, 9);
        var start = new byte[lattice.Sites];
        for (int c = 0; c < 4; c++) start[lattice.Index(0, c)] = Orientation.Right;
        const int trials = 24_000;
        var moved = new int[5];
        for (int t = 0; t < trials; t++)
        {
            var sim = new PepSimulator(lattice, start, 0, (ulong)t) { Simd = Widths[t % 3] };
            sim.Sweep();
            int empty = Enumerable.Range(0, 4).Single(c => sim.Frame[lattice.Index(0, c)] == 0);
            moved[4 - empty]++;
        }
        double[] expected = [0, 1.0 / 2, 2.0 / 6, 3.0 / 24, 1.0 / 24];
        double chi2 = 0;
        for (int k = 1; k <= 4; k++) chi2 += Math.Pow(moved[k] - trials * expected[k], 2) / (trials * expected[k]);
        // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
        Assert.True(chi2 < 16.27, $"chi-square {chi2:0.00}, moved counts {string.Join(",", moved)}");
    }

    [Theory]
    [MemberData(nameof(AllWidths))]
    public void ShuffleIndicesAreExactlyUniformWhereLemireRejects(SimdWidth width)
    {
        // For a range r above 2^15, floor(x r / 2^16) over 16-bit x hits 2^16 - r values twice and
        // the rest once. Without Lemire's rejection, a drawn index is a doubly hit value with
        // probability 2 (2^16 - r) / 2^16; exactly uniform, (2^16 - r) / r. The two differ by up to
        // 14 points, so a few sweeps of 58982 particles tell them apart by many standard errors.
        var sim = new PepSimulator(new Lattice(256, 256), 0.9, 0.1, 5) { Simd = width };
        var indices = new int[sim.Particles];
        double observed = 0, expected = 0, variance = 0;
        for (int sweep = 0; sweep < 6; sweep++)
        {
            sim.DrawShuffleIndices(indices);
            for (int k = 0; k < indices.Length - 1; k++)
            {
                long r = sim.Particles - k;
                Assert.InRange(indices[k], 0, (int)r - 1);
                if (r <= 32768) continue;
                long j = indices[k];
                bool hitTwice = CeilDiv((j + 1) << 16, r) - CeilDiv(j << 16, r) == 2;
                double p = (65536.0 - r) / r;
                observed += hitTwice ? 1 : 0;
                expected += p;
                variance += p * (1 - p);
            }
        }
        double z = (observed - expected) / Math.Sqrt(variance);
        Assert.True(Math.Abs(z) < 5, $"doubly hit indices: {observed} vs {expected:0} expected (z = {z:0.0})");

        static long CeilDiv(long a, long b) => (a + b - 1) / b;
    }

    [Fact]
    public void SteadyStateMatchesTheStream1Kernel()
    {
        // Independent seeds give independent run means, so the standard error is honest. Blocked
        // fraction (particles whose site ahead is occupied) and weighted mean cluster size.
        var lattice = new Lattice(40, 40);
        const int seeds = 16, warmup = 150, samples = 150;
        const double density = 0.25, pt = 0.05;

        (double Blocked, double Weighted) RunMeans(Func<ulong, (Action Iterate, Func<byte[]> Frame)> make, ulong seed)
        {
            var (iterate, frame) = make(seed);
            for (int i = 0; i < warmup; i++) iterate();
            double blocked = 0, weighted = 0;
            for (int i = 0; i < samples; i++)
            {
                iterate();
                var f = frame();
                blocked += BlockedFraction(lattice, f);
                weighted += ClusterOracle.WeightedMean(ClusterOracle.Sizes(f, lattice.Nx, lattice.Ny));
            }
            return (blocked / samples, weighted / samples);
        }

        var current = Enumerable.Range(0, seeds).Select(s => RunMeans(seed =>
        {
            var sim = new PepSimulator(lattice, density, pt, seed);
            return (() => sim.Iterate(10), () => sim.Frame.ToArray());
        }, 1000 + (ulong)s)).ToArray();
        var stream1 = Enumerable.Range(0, seeds).Select(s => RunMeans(seed =>
        {
            var sim = new PepSimulatorStream1(lattice, density, pt, seed);
            return (() => sim.Iterate(10), () => sim.Frame.ToArray());
        }, 2000 + (ulong)s)).ToArray();

        AssertSameMean("blocked fraction", current.Select(x => x.Blocked).ToArray(), stream1.Select(x => x.Blocked).ToArray());
        AssertSameMean("weighted mean cluster size", current.Select(x => x.Weighted).ToArray(), stream1.Select(x => x.Weighted).ToArray());
    }

    [Fact]
    public void TheSimdEnvironmentVariableGivesTheSameFile()
    {
        using var dir = new TempDir();
        string Simulate(string? simd)
        {
            string path = dir.File($"run-{simd ?? "default"}.h5");
            var psi = new ProcessStartInfo(PepCli.Host, $"\"{PepCli.Dll}\" simulate --nx 24 --ny 20 --density 0.3 --tumble 0.1 --snapshots 5 --warmup 3 --seed 9 --quiet --out \"{path}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (simd is not null) psi.Environment[SimdSupport.EnvironmentVariable] = simd;
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "pep simulate timed out");
            Assert.True(p.ExitCode == 0, err);
            return path;
        }

        using var byDefault = FrameSources.Open(Simulate(null));
        using var scalar = FrameSources.Open(Simulate("scalar"));
        using var narrow = FrameSources.Open(Simulate("256"));
        Assert.Equal(SimulationStream.Current, byDefault.Info.Generator);
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(byDefault.ReadFrame(k), scalar.ReadFrame(k));
            Assert.Equal(byDefault.ReadFrame(k), narrow.ReadFrame(k));
        }
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("xoshiro256**", 1)]
    [InlineData("xoshiro256**x8 stream 2", 2)]
    [InlineData("mt19937", null)]
    public void FilesNameTheirStream(string? generator, int? version)
    {
        Assert.Equal(version, SimulationStream.VersionOf(generator));
    }

    private static double BlockedFraction(Lattice lattice, byte[] frame)
    {
        int particles = 0, blocked = 0;
        for (int s = 0; s < frame.Length; s++)
        {
            if (frame[s] == 0) continue;
            particles++;
            if (frame[lattice.Neighbour(s, frame[s] - 1)] != 0) blocked++;
        }
        return (double)blocked / particles;
    }

    private static void AssertSameMean(string what, double[] a, double[] b)
    {
        static (double Mean, double Sem) Stats(double[] x)
        {
            double m = x.Average();
            return (m, Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Length - 1) / x.Length));
        }

        var (ma, sa) = Stats(a);
        var (mb, sb) = Stats(b);
        double se = Math.Sqrt(sa * sa + sb * sb);
        Assert.True(Math.Abs(ma - mb) <= 4 * se, $"{what}: stream 2 {ma:0.0000} vs stream 1 {mb:0.0000} (standard error of the difference {se:0.0000})");
    }
}
