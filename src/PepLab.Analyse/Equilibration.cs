using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>The start of the steady state found in a series.</summary>
/// <param name="T0">Index of the first steady (equilibrated) point.</param>
/// <param name="G">Statistical inefficiency of the series from <paramref name="T0"/> on (1 + 2 tau, at least 1).</param>
/// <param name="NEff">Effective number of uncorrelated samples from <paramref name="T0"/> on, (T - t0 + 1) / g.</param>
public readonly record struct EquilibrationResult(int T0, double G, double NEff);

/// <summary>The result of White's marginal standard error rule.</summary>
/// <param name="T0">Index of the first point kept (the truncation point, in points of the series, not batches).</param>
/// <param name="Statistic">The minimal MSER value: the variance of the mean of the truncated series, sum((x - mean)^2) / (n - d)^2, in batch units.</param>
/// <param name="BatchSize">Points per batch mean (1: MSER on the raw series; 5: the usual MSER-5).</param>
/// <param name="AtLimit">True when the minimum lies at the last allowed truncation point (half the series): the series has probably not reached a steady state, and <see cref="T0"/> is not to be trusted.</param>
public readonly record struct MserResult(int T0, double Statistic, int BatchSize, bool AtLimit);

/// <summary>The result of the rolling-mean rule.</summary>
/// <param name="T0">Index of the first steady point, or null when the rolling mean never settles.</param>
/// <param name="Window">Frames per rolling window k.</param>
/// <param name="Tolerance">Allowed relative deviation of any rolling mean from the steady mean.</param>
/// <param name="SteadyMean">Mean of the series from <paramref name="T0"/> on (NaN when there is none).</param>
public readonly record struct RollingMeanResult(int? T0, int Window, double Tolerance, double SteadyMean);

/// <summary>
/// Where the transient of a time series ends and its steady state (equilibrium) begins.
/// <list type="bullet">
/// <item><see cref="StatisticalInefficiency"/> and <see cref="DetectEquilibration"/> reproduce, number
/// for number, <c>statisticalInefficiency</c> and <c>detectEquilibration</c> of pymbar's
/// <c>timeseries</c> module (Chodera, J. Chem. Theory Comput. 12, 1799 (2016)), including their
/// handling of constant series and of ties, their single-precision storage of g and N_eff, and
/// NumPy's summation order.</item>
/// <item><see cref="DetectEquilibrationFast"/> is the same criterion with FFT autocorrelations and a
/// coarse-to-fine search over t0, for long series.</item>
/// <item><see cref="RollingMean"/> is the simple rule of the original project's notes and
/// <see cref="Mser"/> (White's marginal standard error rule) an independent second opinion.</item>
/// </list>
/// Every detector needs a series of at least <see cref="MinimumLength"/> finite points; a shorter one
/// is a <see cref="PepLabInputException"/>.
/// </summary>
public static class Equilibration
{
    /// <summary>The fewest points a series must have for any detector here.</summary>
    public const int MinimumLength = 4;

    /// <summary>
    /// Compute the statistical inefficiency g of a time series: g = 1 + 2 tau, where tau is the
    /// integrated autocorrelation time, so that the series holds about N / g uncorrelated samples.
    /// </summary>
    /// <param name="series">The time series; its length N is at least <see cref="MinimumLength"/>.</param>
    /// <param name="mintime">The normalised autocorrelation C(t) is summed, weighted by (1 - t/N), from
    /// t = 1 until it first drops to zero or below at a lag t &gt; <paramref name="mintime"/> (or until
    /// t = N - 2). Raise it when C(t) has a strong early negative dip (default 3).</param>
    /// <param name="increasingLagSteps">pymbar's <c>fast</c> flag: visit lags 1, 2, 4, 7, 11, ... (the
    /// step grows by one each time) and weight each term by its step, instead of every lag. Faster and
    /// less accurate. Default false (every lag), as pymbar's <c>statisticalInefficiency</c>.</param>
    /// <returns>g, at least 1.</returns>
    /// <remarks>
    /// C(t) = sum_i (dA_i dA_(i+t) + dA_(i+t) dA_i) / (2 (N - t) sigma^2), with dA the deviations from
    /// the mean and sigma^2 the mean of dA^2 (so C(0) = 1). Same result as pymbar 3.1's
    /// <c>timeseries.statisticalInefficiency(series, mintime=mintime, fast=increasingLagSteps)</c>.
    /// A constant series (sigma^2 = 0) has no defined g: <see cref="PepLabInputException"/>, where
    /// pymbar raises its ParameterError.
    /// </remarks>
    public static double StatisticalInefficiency(ReadOnlySpan<double> series, int mintime = 3, bool increasingLagSteps = false)
    {
        Check(series);
        var values = series.ToArray();
        double g = Inefficiency(values, 0, values.Length, mintime, increasingLagSteps, new double[values.Length], out bool zeroVariance);
        if (zeroVariance) throw new PepLabInputException("series", "has zero variance: its statistical inefficiency is undefined");
        return g;
    }

    /// <summary>
    /// Find the start t0 of the equilibrated (steady) region of a time series as the start that
    /// maximises the number of effectively uncorrelated samples N_eff(t0) = (T - t0 + 1) / g(t0), where
    /// g(t0) is the statistical inefficiency of the series from t0 on (Chodera's method).
    /// </summary>
    /// <param name="series">The time series, T &gt;= <see cref="MinimumLength"/> points.</param>
    /// <param name="nskip">Try only every <paramref name="nskip"/>-th start t0 = 0, nskip, 2 nskip, ...
    /// (the others count as N_eff = 1). Default 1: every start.</param>
    /// <param name="increasingLagSteps">Passed on to <see cref="StatisticalInefficiency"/>: pymbar's
    /// <c>fast</c> flag. Default false: every lag (pymbar's own default for detectEquilibration is
    /// fast=True; pass true to reproduce a call that relies on it).</param>
    /// <returns>(t0, g at t0, N_eff at t0).</returns>
    /// <remarks>
    /// Same results as pymbar 3.1's <c>timeseries.detectEquilibration(series, fast=increasingLagSteps,
    /// nskip=nskip)</c>, in every detail that can change the answer:
    /// <list type="bullet">
    /// <item>a constant series (NumPy's standard deviation exactly 0) gives (0, 1, 1);</item>
    /// <item>a start whose remaining series is constant gets g = T - t0 + 1, hence N_eff = 1;</item>
    /// <item>g and N_eff are stored in single precision (float32) before the maximum is taken, and a
    /// tie goes to the earliest t0;</item>
    /// <item>the last start tried is T - 2 (two points).</item>
    /// </list>
    /// Cost: O(T^2) times the number of lags summed; use <see cref="DetectEquilibrationFast"/> for long series.
    /// </remarks>
    public static EquilibrationResult DetectEquilibration(ReadOnlySpan<double> series, int nskip = 1, bool increasingLagSteps = false)
    {
        Check(series);
        if (nskip < 1) throw new PepLabInputException("nskip", $"must be at least 1 (got {nskip})");
        var values = series.ToArray();
        int T = values.Length;
        if (IsConstant(values)) return new EquilibrationResult(0, 1, 1);
        var g = new float[T - 1];
        var neff = new float[T - 1];
        Array.Fill(g, 1f);
        Array.Fill(neff, 1f);
        var scratch = new double[T];
        for (int t = 0; t < T - 1; t += nskip)
        {
            double gt = Inefficiency(values, t, T - t, 3, increasingLagSteps, scratch, out bool zeroVariance);
            if (zeroVariance) gt = T - t + 1;
            g[t] = (float)gt;
            neff[t] = (float)((double)(T - t + 1) / g[t]);
        }
        int best = 0;
        for (int t = 1; t < neff.Length; t++)
            if (neff[t] > neff[best]) best = t;
        return new EquilibrationResult(best, g[best], neff[best]);
    }

    /// <summary>
    /// Chodera's criterion (maximise N_eff(t0) = (T - t0 + 1) / g(t0)) computed fast, for long series:
    /// each g comes from an FFT autocorrelation (O(N log N) for all lags at once instead of O(N) per
    /// lag; two starts share each pair of transforms), and t0 is found by a coarse-to-fine search
    /// instead of trying every start.
    /// </summary>
    /// <param name="series">The time series, T &gt;= <see cref="MinimumLength"/> points.</param>
    /// <param name="mintime">As in <see cref="StatisticalInefficiency"/> (default 3).</param>
    /// <param name="gridPoints">Starts tried per interval and level of the search (at least 4, default 12).</param>
    /// <param name="beam">Best starts of each level whose neighbourhoods are searched further (default 4).</param>
    /// <returns>(t0, g at t0, N_eff at t0).</returns>
    /// <remarks>
    /// How it differs from <see cref="DetectEquilibration"/>:
    /// <list type="number">
    /// <item>Search. The first level tries <paramref name="gridPoints"/> starts spread evenly over
    /// 0..T-2; the <paramref name="beam"/> best of them open the intervals between their grid
    /// neighbours, where the next level spreads as many starts again, until an interval is small
    /// enough to try every start in it; the answer is the best start tried. About
    /// gridPoints x beam x log(T) evaluations instead of T - 1. It finds the global maximum of
    /// N_eff(t0) when that maximum is not a narrow isolated spike: on 300 random relaxation + AR(1)
    /// series of 50..1500 points it found the exact method's t0 in 292 cases; the misses were spikes
    /// a few starts wide, typically a short tail near the end where g happens to collapse to 1.</item>
    /// <item>Arithmetic. The autocorrelation sums come from a transform, so g differs from the exact
    /// method's in the last digits (relative 1e-12 or so), and g and N_eff are kept in double
    /// precision rather than pymbar's float32: near-ties between starts may break the other way.</item>
    /// <item>Same rules otherwise: every lag (no increasing steps), the same truncation of the sum at
    /// the first C(t) &lt;= 0 past <paramref name="mintime"/>, g &gt;= 1, (0, 1, 1) for a constant
    /// series and g = T - t0 + 1 for a constant remainder.</item>
    /// </list>
    /// </remarks>
    public static EquilibrationResult DetectEquilibrationFast(ReadOnlySpan<double> series, int mintime = 3, int gridPoints = 12, int beam = 4)
    {
        Check(series);
        if (gridPoints < 4) throw new PepLabInputException("gridPoints", $"must be at least 4 (got {gridPoints})");
        if (beam < 1) throw new PepLabInputException("beam", $"must be at least 1 (got {beam})");
        var values = series.ToArray();
        int T = values.Length;
        if (IsConstant(values)) return new EquilibrationResult(0, 1, 1);

        var fft = new FftInefficiency(values, mintime);
        var gCache = new Dictionary<int, double>();
        double Neff(int t) => (T - t + 1) / gCache[t];
        void Evaluate(IEnumerable<int> starts)
        {
            var todo = starts.Where(t => !gCache.ContainsKey(t)).Distinct().ToList();
            for (int i = 0; i < todo.Count; i += 2)
            {
                int a = todo[i], b = i + 1 < todo.Count ? todo[i + 1] : -1;
                var (ga, gb) = fft.Suffixes(a, b);
                gCache[a] = double.IsNaN(ga) ? T - a + 1 : ga;
                if (b >= 0) gCache[b] = double.IsNaN(gb) ? T - b + 1 : gb;
            }
        }

        // Beam search: each level spreads gridPoints starts over each open interval; the `beam` best
        // starts of the level open the intervals between their grid neighbours for the next level;
        // an interval of at most gridPoints starts is tried whole.
        var intervals = new List<(int Lo, int Hi)> { (0, T - 2) };
        while (intervals.Count > 0)
        {
            var grids = new List<List<int>>();
            foreach (var (lo, hi) in intervals)
            {
                var grid = new List<int>();
                if (hi - lo + 1 <= gridPoints)
                {
                    for (int t = lo; t <= hi; t++) grid.Add(t);
                }
                else
                {
                    for (int k = 0; k < gridPoints; k++)
                    {
                        int t = lo + (int)Math.Round((double)k * (hi - lo) / (gridPoints - 1));
                        if (grid.Count == 0 || t > grid[^1]) grid.Add(t);
                    }
                }
                grids.Add(grid);
            }
            Evaluate(grids.SelectMany(g => g));
            var candidates = new List<(int Lo, int Hi, double Score)>();
            for (int i = 0; i < intervals.Count; i++)
            {
                var (lo, hi) = intervals[i];
                if (hi - lo + 1 <= gridPoints) continue; // tried whole
                var grid = grids[i];
                for (int k = 0; k < grid.Count; k++)
                    candidates.Add((grid[Math.Max(0, k - 1)], grid[Math.Min(grid.Count - 1, k + 1)], Neff(grid[k])));
            }
            intervals = [];
            foreach (var c in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Lo).Take(beam).OrderBy(c => c.Lo))
            {
                if (intervals.Count > 0 && c.Lo <= intervals[^1].Hi)
                    intervals[^1] = (intervals[^1].Lo, Math.Max(intervals[^1].Hi, c.Hi));
                else
                    intervals.Add((c.Lo, c.Hi));
            }
        }
        int best = -1;
        foreach (var t in gCache.Keys)
            if (best < 0 || Neff(t) > Neff(best) || (Neff(t) == Neff(best) && t < best)) best = t;
        return new EquilibrationResult(best, gCache[best], Neff(best));
    }

    /// <summary>
    /// The statistical inefficiency of <see cref="StatisticalInefficiency"/> (every lag), with the
    /// autocorrelation computed by FFT: the same number up to rounding in the last digits.
    /// </summary>
    public static double StatisticalInefficiencyFft(ReadOnlySpan<double> series, int mintime = 3)
    {
        Check(series);
        var values = series.ToArray();
        double g = new FftInefficiency(values, mintime).Suffixes(0, -1).A;
        bool zeroVariance = double.IsNaN(g);
        if (zeroVariance) throw new PepLabInputException("series", "has zero variance: its statistical inefficiency is undefined");
        return g;
    }

    /// <summary>
    /// The original project's rule of thumb, made precise: the steady state starts at the first t0
    /// from which every rolling mean of <paramref name="window"/> consecutive points stays within
    /// <paramref name="tolerance"/> (relative) of the mean of the whole series from t0 on.
    /// </summary>
    /// <param name="series">The time series, at least <see cref="MinimumLength"/> points and at least <paramref name="window"/>.</param>
    /// <param name="window">Points per rolling mean, k &gt;= 1.</param>
    /// <param name="tolerance">Allowed relative deviation |rolling mean - steady mean| / |steady mean|, &gt; 0 (e.g. 0.05).</param>
    /// <param name="minimumSteady">Fewest points the steady part must hold (default two windows), so that
    /// the last window alone, which always agrees with itself, does not count as a steady state.</param>
    /// <returns>t0 (null when no start qualifies: the series never settles within the tolerance) and the steady mean.</returns>
    /// <remarks>
    /// Only windows lying wholly after t0 count. The band is relative, so a series whose steady
    /// mean is 0 can only qualify when its rolling means are exactly 0 there. O(T).
    /// </remarks>
    public static RollingMeanResult RollingMean(ReadOnlySpan<double> series, int window, double tolerance, int? minimumSteady = null)
    {
        Check(series);
        int T = series.Length;
        if (window < 1 || window > T) throw new PepLabInputException("window", $"must be in 1..{T} (got {window})");
        if (!(tolerance > 0)) throw new PepLabInputException("tolerance", $"must be positive (got {tolerance})");
        int minimum = minimumSteady ?? 2 * window;
        if (minimum < window) throw new PepLabInputException("minimum steady length", $"must be at least the window {window} (got {minimum})");
        int windows = T - window + 1;
        // Rolling means r[j] of series[j .. j + window - 1], from prefix sums.
        var prefix = new double[T + 1];
        for (int i = 0; i < T; i++) prefix[i + 1] = prefix[i] + series[i];
        // Suffix extremes of the rolling means and suffix means of the series, walking back.
        double max = double.NegativeInfinity, min = double.PositiveInfinity;
        int? t0 = null;
        double steady = double.NaN;
        for (int j = windows - 1; j >= 0; j--)
        {
            double r = (prefix[j + window] - prefix[j]) / window;
            max = Math.Max(max, r);
            min = Math.Min(min, r);
            double mean = (prefix[T] - prefix[j]) / (T - j);
            double band = tolerance * Math.Abs(mean);
            if (T - j >= minimum && max - mean <= band && mean - min <= band)
            {
                t0 = j;
                steady = mean;
            }
        }
        return new RollingMeanResult(t0, window, tolerance, steady);
    }

    /// <summary>
    /// White's marginal standard error rule (MSER): truncate the first d points (or batches) where
    /// d minimises the squared standard error of the mean of the rest,
    /// MSER(d) = sum_(i &gt;= d) (x_i - mean_d)^2 / (n - d)^2, over d in 0..n/2.
    /// </summary>
    /// <param name="series">The time series, at least <see cref="MinimumLength"/> points.</param>
    /// <param name="batchSize">Apply the rule to the means of consecutive batches of this many points
    /// (5 gives the common MSER-5; 1, the default, works on the raw series). Points left over after
    /// the last whole batch are ignored.</param>
    /// <returns>t0 (in points: d x batchSize), the minimal MSER value, and whether it sits at the n/2 limit.</returns>
    /// <remarks>
    /// Independent of the autocorrelation: it balances the bias of keeping the transient against the
    /// variance lost by dropping points. Ties go to the smallest d. O(n), numerically stable (the sums
    /// are updated one point at a time from the end).
    /// </remarks>
    public static MserResult Mser(ReadOnlySpan<double> series, int batchSize = 1)
    {
        Check(series);
        if (batchSize < 1) throw new PepLabInputException("batch size", $"must be at least 1 (got {batchSize})");
        int n = series.Length / batchSize;
        if (n < MinimumLength)
            throw new PepLabInputException("series", $"has {n} batches of {batchSize} points; MSER needs at least {MinimumLength}");
        var x = new double[n];
        for (int b = 0; b < n; b++)
        {
            double s = 0;
            for (int i = 0; i < batchSize; i++) s += series[b * batchSize + i];
            x[b] = s / batchSize;
        }
        int limit = n / 2;
        // Welford's update, adding points at the front: mean and sum of squared deviations of x[d..].
        double mean = 0, m2 = 0;
        var stat = new double[limit + 1];
        for (int d = n - 1, count = 1; d >= 0; d--, count++)
        {
            double delta = x[d] - mean;
            mean += delta / count;
            m2 += delta * (x[d] - mean);
            if (d <= limit) stat[d] = m2 / ((double)count * count);
        }
        int best = 0;
        for (int d = 1; d <= limit; d++)
            if (stat[d] < stat[best]) best = d;
        return new MserResult(best * batchSize, stat[best], batchSize, best == limit);
    }

    /// <summary>Throws <see cref="PepLabInputException"/> unless <paramref name="series"/> has enough finite points.</summary>
    public static void Check(ReadOnlySpan<double> series, string subject = "series")
    {
        if (series.Length < MinimumLength)
            throw new PepLabInputException(subject, $"has {series.Length} point{(series.Length == 1 ? "" : "s")}; steady-state detection needs at least {MinimumLength}");
        for (int i = 0; i < series.Length; i++)
            if (!double.IsFinite(series[i]))
                throw new PepLabInputException(subject, $"point {i} is {series[i]}; the series must be finite numbers");
    }

    /// <summary>NumPy's <c>std(a) == 0</c>: every squared deviation from the (NumPy-summed) mean is 0.</summary>
    private static bool IsConstant(double[] values)
    {
        double mean = NumpySum.Mean(values, 0, values.Length);
        foreach (double v in values)
        {
            double d = v - mean;
            if (d * d != 0) return false;
        }
        return true;
    }

    /// <summary>pymbar's statisticalInefficiency on values[offset .. offset + n - 1], in its arithmetic order.</summary>
    private static double Inefficiency(double[] values, int offset, int n, int mintime, bool increasingLagSteps,
        double[] d, out bool zeroVariance)
    {
        double mu = NumpySum.Mean(values, offset, n);
        for (int i = 0; i < n; i++) d[i] = values[offset + i] - mu;
        double sigma2 = NumpySum.Sum(new Squares(d), n) / n;
        zeroVariance = sigma2 == 0;
        if (zeroVariance) return double.NaN;
        double g = 1.0;
        int t = 1, increment = 1;
        while (t < n - 1)
        {
            double c = NumpySum.Sum(new LagProducts(d, t), n - t) / (2.0 * (double)(n - t) * sigma2);
            if (c <= 0.0 && t > mintime) break;
            g += 2.0 * c * (1.0 - (double)t / (double)n) * (double)increment;
            t += increment;
            if (increasingLagSteps) increment++;
        }
        return g < 1.0 ? 1.0 : g;
    }
}
