using System.Globalization;
using PepLab.Core;
using PepLab.Tests;

namespace PepLab.Analyse.Tests;

public class EquilibrationTests
{
    /// <summary>
    /// A generator both C# and Python reproduce bit for bit (integer LCG, exact scaling, + and -
    /// only), so that the reference numbers below can be recomputed: uniform = (state &gt;&gt; 11) * 2^-53
    /// after state = state * 6364136223846793005 + 1442695040888963407 (mod 2^64); noise = the sum of
    /// four uniforms minus 2.
    /// </summary>
    private sealed class Lcg(ulong seed)
    {
        private ulong _s = seed;

        public double Uniform()
        {
            _s = unchecked(_s * 6364136223846793005UL + 1442695040888963407UL);
            return (_s >> 11) * (1.0 / 9007199254740992.0);
        }

        public double Noise() => Uniform() + Uniform() + Uniform() + Uniform() - 2.0;
    }

    private static double[] Constant() => Enumerable.Repeat(3.0, 50).ToArray();

    internal static double[] Step()
    {
        var g = new Lcg(11);
        return Enumerable.Range(0, 200).Select(t => (t < 40 ? 5.0 : 0.0) + g.Noise()).ToArray();
    }

    private static double[] Relaxation()
    {
        var g = new Lcg(12);
        var x = new double[300];
        double a = 8.0, ar = 0.0;
        for (int t = 0; t < x.Length; t++)
        {
            ar = 0.8 * ar + g.Noise();
            x[t] = a + ar;
            a *= 0.9;
        }
        return x;
    }

    private static double[] Integers()
    {
        var g = new Lcg(13);
        return Enumerable.Range(0, 60).Select(t => (double)(int)(g.Uniform() * 4) + (t < 10 ? 3.0 : 0.0)).ToArray();
    }

    private static double[] TailConstant() => [1, 2, 1, 2, 1, 2, 7, 7, 7, 7, 7, 7];

    private static double[] Alternating() => Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 1.0 : -1.0).ToArray();

    private static double[] Tenths() => Enumerable.Repeat(0.1, 10).ToArray();

    private static double[] Named(string name) => name switch
    {
        "constant" => Constant(),
        "step" => Step(),
        "relax" => Relaxation(),
        "integers" => Integers(),
        "tail_constant" => TailConstant(),
        "alternating" => Alternating(),
        "tiny" => Tenths(),
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public void GeneratorMatchesThePythonScript()
    {
        // Printed by the script below: relax()[:3], step()[:2].
        Assert.Equal([7.5151564222856635, 7.620562439313493, 7.446186976179025], Relaxation()[..3]);
        Assert.Equal([4.73776396555316, 5.272698792744102], Step()[..2]);
    }

    // Expected values computed ONCE with Debian's python3-pymbar 3.1.0 (numpy 1.24.2):
    //   A = numpy.array(series(), dtype=numpy.float64)
    //   t, g, neff = pymbar.timeseries.detectEquilibration(A, fast=FAST, nskip=1)
    // with the series built by the same generator in Python: tests/PepLab.Analyse.Tests/pymbar_reference.py
    // prints every number below. fast=False is every lag, fast=True pymbar's increasing lag steps.
    [Theory]
    [InlineData("constant", false, 0, 1.0, 1.0)]
    [InlineData("constant", true, 0, 1.0, 1.0)]
    [InlineData("step", false, 41, 1.0180857181549072, 157.15768432617188)]
    [InlineData("step", true, 40, 1.0, 161.0)]
    [InlineData("relax", false, 30, 5.468291282653809, 49.558441162109375)]
    [InlineData("relax", true, 29, 6.638906955718994, 40.97060012817383)]
    [InlineData("integers", false, 8, 1.0, 53.0)]
    [InlineData("integers", true, 8, 1.0, 53.0)]
    [InlineData("tail_constant", false, 5, 1.0, 8.0)]
    [InlineData("tail_constant", true, 5, 1.0, 8.0)]
    [InlineData("alternating", false, 0, 1.0, 21.0)]
    [InlineData("alternating", true, 17, 1.0, 4.0)]
    [InlineData("tiny", false, 0, 1.0, 1.0)]
    public void DetectEquilibrationEqualsPymbar(string series, bool increasingLagSteps, int t0, double g, double neff)
    {
        var r = Equilibration.DetectEquilibration(Named(series), nskip: 1, increasingLagSteps: increasingLagSteps);
        Assert.Equal(t0, r.T0);
        Assert.Equal(g, r.G);       // exact: both are the same float32 value
        Assert.Equal(neff, r.NEff);
    }

    [Fact]
    public void DetectEquilibrationWithSkipEqualsPymbar()
    {
        // pymbar.timeseries.detectEquilibration(relax(), fast=False, nskip=7) (computed once, as above).
        var r = Equilibration.DetectEquilibration(Relaxation(), nskip: 7);
        Assert.Equal(new EquilibrationResult(28, 5.584102630615234, 48.88878631591797), r);
    }

    // pymbar.timeseries.statisticalInefficiency(A) and (A, fast=True), computed once as above.
    [Theory]
    [InlineData("step", 35.81151704599939, 40.48346272117659)]
    [InlineData("relax", 9.49714000164071, 11.383190322319198)]
    [InlineData("integers", 4.412716161747497, 5.363866857365752)]
    [InlineData("tail_constant", 3.9999999999999996, 4.521680216802168)]
    [InlineData("alternating", 1.0, 7.500000000000001)]
    public void StatisticalInefficiencyEqualsPymbar(string series, double every, double increasing)
    {
        Assert.Equal(every, Equilibration.StatisticalInefficiency(Named(series)));
        Assert.Equal(increasing, Equilibration.StatisticalInefficiency(Named(series), increasingLagSteps: true));
    }

    [Fact]
    public void StatisticalInefficiencyOfAConstantSeriesIsAnInputError()
    {
        // pymbar raises ParameterError('Sample covariance sigma_AB^2 = 0 ...').
        Assert.Throws<PepLabInputException>(() => Equilibration.StatisticalInefficiency(Constant()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void FewerThanFourPointsIsAnInputError(int n)
    {
        var s = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        Assert.Throws<PepLabInputException>(() => Equilibration.DetectEquilibration(s));
        Assert.Throws<PepLabInputException>(() => Equilibration.DetectEquilibrationFast(s));
        Assert.Throws<PepLabInputException>(() => Equilibration.StatisticalInefficiency(s));
        Assert.Throws<PepLabInputException>(() => Equilibration.Mser(s));
        Assert.Throws<PepLabInputException>(() => Equilibration.RollingMean(s, 1, 0.1));
    }

    [Fact]
    public void NonFiniteValuesAreAnInputError()
    {
        var e = Assert.Throws<PepLabInputException>(() => Equilibration.DetectEquilibration([1, 2, double.NaN, 3, 4]));
        Assert.Contains("point 2", e.Message);
    }

    [Fact]
    public void FourPointsAreEnough()
    {
        var r = Equilibration.DetectEquilibration([1, 3, 2, 4]);
        Assert.InRange(r.T0, 0, 2);
        Assert.True(r.G >= 1);
    }

    [Theory]
    [InlineData("step")]
    [InlineData("relax")]
    [InlineData("integers")]
    [InlineData("tail_constant")]
    [InlineData("constant")]
    public void FastVariantFindsTheSameStartOnTheKnownSeries(string name)
    {
        var series = Named(name);
        var exact = Equilibration.DetectEquilibration(series);
        var fast = Equilibration.DetectEquilibrationFast(series);
        Assert.Equal(exact.T0, fast.T0);
        Assert.Equal(exact.G, fast.G, 1e-5 * exact.G);
        Assert.Equal(exact.NEff, fast.NEff, 1e-5 * exact.NEff);
    }

    [Fact]
    public void FftInefficiencyAgreesWithTheDirectSum()
    {
        foreach (var name in new[] { "step", "relax", "integers", "alternating" })
        {
            var s = Named(name);
            Assert.Equal(Equilibration.StatisticalInefficiency(s), Equilibration.StatisticalInefficiencyFft(s), 1e-9);
        }
    }

    [Fact]
    public void FastVariantOnALongSeries()
    {
        // 3000 points: exponential relaxation over ~100 points, then AR(1) noise.
        var g = new Lcg(99);
        var x = new double[3000];
        double a = 20, ar = 0;
        for (int t = 0; t < x.Length; t++)
        {
            ar = 0.9 * ar + g.Noise();
            x[t] = a + ar;
            a *= 0.97;
        }
        var fast = Equilibration.DetectEquilibrationFast(x);
        var exact = Equilibration.DetectEquilibration(x, nskip: 10);
        Assert.InRange(fast.T0, 30, 400);
        // The exact method on every 10th start: the fast search must do at least as well in N_eff (up to float32 rounding).
        Assert.True(fast.NEff >= exact.NEff * (1 - 1e-6), $"fast {fast} vs exact on a grid {exact}");
    }

    [Fact]
    public void FastVariantAgreesWithTheExactMethodOnRandomSeries()
    {
        var rng = new Random(17);
        int same = 0;
        for (int k = 0; k < 30; k++)
        {
            int n = rng.Next(50, 400);
            double phi = rng.NextDouble() * 0.9, amp = rng.NextDouble() * 8, tau = rng.Next(1, n / 4 + 2), ar = 0;
            var x = new double[n];
            for (int t = 0; t < n; t++)
            {
                ar = phi * ar + rng.NextDouble() - 0.5;
                x[t] = amp * Math.Exp(-t / tau) + ar;
            }
            var exact = Equilibration.DetectEquilibration(x);
            var fast = Equilibration.DetectEquilibrationFast(x);
            // The exact method tries every start, so the fast search can never beat it (beyond float32 rounding).
            Assert.True(fast.NEff <= exact.NEff * (1 + 1e-6), $"series {k}: fast {fast} beats exact {exact}");
            if (fast.T0 == exact.T0) same++;
        }
        Assert.True(same >= 26, $"the fast variant found the exact t0 on only {same} of 30 series");
    }

    [Fact]
    public void MserFindsTheStep()
    {
        var r = Equilibration.Mser(Step());
        Assert.InRange(r.T0, 40, 43);
        Assert.False(r.AtLimit);
        var r5 = Equilibration.Mser(Step(), batchSize: 5);
        Assert.Equal(40, r5.T0);
        Assert.Equal(5, r5.BatchSize);
    }

    [Fact]
    public void MserMatchesTheDefinitionComputedDirectly()
    {
        var x = Relaxation();
        var r = Equilibration.Mser(x);
        double Direct(int d)
        {
            var rest = x[d..];
            double m = rest.Average();
            return rest.Sum(v => (v - m) * (v - m)) / ((double)rest.Length * rest.Length);
        }
        int best = Enumerable.Range(0, x.Length / 2 + 1).MinBy(Direct);
        Assert.Equal(best, r.T0);
        Assert.Equal(Direct(best), r.Statistic, 1e-12);
    }

    [Fact]
    public void MserFlagsASeriesThatNeverSettles()
    {
        var ramp = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        var r = Equilibration.Mser(ramp);
        Assert.True(r.AtLimit);
        Assert.Equal(50, r.T0);
    }

    [Fact]
    public void RollingMeanRule()
    {
        // Level 10 for 30 points, then exactly 1, 2, 1, 2, ...: the rolling mean of 2 is 1.5 from t = 30 on.
        var x = Enumerable.Range(0, 100).Select(i => i < 30 ? 10.0 : (i % 2 == 0 ? 1.0 : 2.0)).ToArray();
        var r = Equilibration.RollingMean(x, window: 2, tolerance: 0.01);
        Assert.Equal(30, r.T0);
        Assert.Equal(1.5, r.SteadyMean, 12);
        // A window of 1 sees 1 and 2 apart by 33% of the mean: not within 10%; it is within 40%.
        Assert.Null(Equilibration.RollingMean(x, window: 1, tolerance: 0.1).T0);
        Assert.Equal(30, Equilibration.RollingMean(x, window: 1, tolerance: 0.4).T0);
        // A ramp never settles: no stretch of at least two windows stays within 1% of its mean.
        var ramp = Enumerable.Range(1, 50).Select(i => (double)i).ToArray();
        Assert.Null(Equilibration.RollingMean(ramp, 1, 0.01).T0);
        Assert.Null(Equilibration.RollingMean(ramp, 2, 0.001).T0);
        // ...unless a single window is allowed to count as a steady state.
        Assert.Equal(49, Equilibration.RollingMean(ramp, 1, 0.01, minimumSteady: 1).T0);
        Assert.Throws<PepLabInputException>(() => Equilibration.RollingMean(x, 0, 0.1));
        Assert.Throws<PepLabInputException>(() => Equilibration.RollingMean(x, 2, 0));
    }

    /// <summary>
    /// pymbar computed live on random series (when python3-pymbar is installed): t0, g and N_eff
    /// must be identical, for both of pymbar's lag modes.
    /// </summary>
    [Fact]
    public void MatchesPymbarLiveOnRandomSeries()
    {
        string python = ExternalTools.Python("numpy", "pymbar");
        const string script = """
            import numpy as np
            from pymbar import timeseries
            rng = np.random.default_rng(2024)
            for k in range(6):
                n = int(rng.integers(4, 200))
                kind = k % 3
                if kind == 0:
                    x = rng.normal(size=n).cumsum() * 0.1 + rng.normal(size=n)
                elif kind == 1:
                    x = 5.0 * np.exp(-np.arange(n) / (n / 8.0)) + rng.normal(size=n)
                else:
                    x = rng.integers(0, 5, size=n).astype(np.float64)
                for fast in (False, True):
                    t, g, neff = timeseries.detectEquilibration(x, fast=fast, nskip=1)
                    print(int(fast), int(t), repr(float(g)), repr(float(neff)), " ".join(repr(float(v)) for v in x))
            """;
        var output = ExternalTools.RunPython(python, script);
        int checkedSeries = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool fast = f[0] == "1";
            int t0 = int.Parse(f[1], CultureInfo.InvariantCulture);
            double g = double.Parse(f[2], CultureInfo.InvariantCulture);
            double neff = double.Parse(f[3], CultureInfo.InvariantCulture);
            var x = f[4..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var r = Equilibration.DetectEquilibration(x, increasingLagSteps: fast);
            Assert.True(new EquilibrationResult(t0, g, neff) == r,
                $"pymbar (fast={fast}, {x.Length} points): t0 {t0}, g {g:R}, neff {neff:R}; PepLab: {r}");
            checkedSeries++;
        }
        Assert.Equal(12, checkedSeries);
    }
}
