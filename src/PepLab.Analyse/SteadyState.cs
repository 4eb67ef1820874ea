using PepLab.Core;

namespace PepLab.Analyse;

/// <summary>Which detector <see cref="SteadyState"/> uses to find t0.</summary>
public enum SteadyStateMethod
{
    /// <summary>PepLab's policy, used by every command: <see cref="Exact"/> up to
    /// <see cref="SteadyState.ExactLimit"/> points, <see cref="Fast"/> above.</summary>
    Auto,
    /// <summary><see cref="Equilibration.DetectEquilibration"/> at every lag: pymbar's answer, number for number.</summary>
    Exact,
    /// <summary><see cref="Equilibration.DetectEquilibration"/> with increasing lag steps (pymbar's default <c>fast=True</c>).</summary>
    ExactIncreasingLags,
    /// <summary><see cref="Equilibration.DetectEquilibrationFast"/>: FFT autocorrelations and a coarse-to-fine search over t0.</summary>
    Fast,
}

/// <summary>
/// Where a time series (a cluster statistic of a run, frame by frame) reaches its steady state: the
/// start t0 that maximises the effective number of uncorrelated samples (Chodera's method, as
/// pymbar's <c>detectEquilibration</c>), with g and N_eff at t0, the mean and standard deviation of
/// the steady part, and MSER's t0 as an independent check. Every PepLab command that needs a t0
/// (equilibrate, clusters --steady, plot, train --steady, the experiments) asks this object, so they
/// all give the same answer.
/// </summary>
/// <remarks>
/// An analysis object in the style of <see cref="ClusterLabeller"/> (and freud): construct it with the
/// method and the statistic, call <see cref="Compute(RunSeries)"/> (or <see cref="Compute(ReadOnlySpan{double}, IReadOnlyList{int}?, string)"/>),
/// then read the typed results, which stay valid until the next call; reading one before the first
/// call is an <see cref="InvalidOperationException"/>. Not thread-safe: use one object per thread.
/// <para>
/// Short or constant series: a series of fewer than <see cref="Equilibration.MinimumLength"/> points,
/// or one whose values are all equal, has no transient to find: t0 = 0, g = 1, N_eff = 1 (pymbar's
/// answer for a constant series) and MSER's t0 = 0; <see cref="Detected"/> is false. A series with a
/// non-finite value (e.g. the mean cluster size of an empty frame) or no value at all is a
/// <see cref="PepLabInputException"/> naming the series.
/// </para>
/// <para>
/// Units: <see cref="T0"/> and <see cref="MserT0"/> index the series; <see cref="T0Frame"/> and
/// <see cref="MserT0Frame"/> are the same starts as frame indices of the trajectory file, which
/// differ when the run was read with a frame range. Report the frame indices to users.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var steady = new SteadyState().Compute(run);           // weighted mean cluster size, default policy
/// Console.WriteLine($"t0 = frame {steady.T0Frame}, steady mean {steady.Mean} ± {steady.Sd}");
/// var trimmed = steady.SteadyRun;                          // the frames from t0 on
/// </code>
/// </example>
public sealed class SteadyState
{
    /// <summary>
    /// Longest series the default policy gives to the exact detector; longer ones go to the fast one.
    /// </summary>
    /// <remarks>
    /// The exact detector evaluates g at every start t0 from 0 to T - 2, each from an autocorrelation
    /// sum over the remaining T - t0 points at every lag up to the first non-positive one (L lags),
    /// so it costs about T² (L + 3) / 2 multiply-adds and grows fourfold with each doubling of T; the
    /// fast one needs a few hundred FFTs of at most 2T points whatever the run. At 2,000 points and
    /// L of some tens (the original's 1000-snapshot runs, and runs twice as long) that is of the order
    /// of 10^8 operations, a fraction of a second per run, acceptable for a command that analyses a
    /// data set of a hundred runs; at 5,000 points it is six times more, per run. So every run of the
    /// original's length, and of twice it, gets pymbar's answer number for number, and only longer
    /// runs the fast search, which finds the same t0 unless N_eff(t0) has a narrow isolated peak
    /// (see <see cref="Equilibration.DetectEquilibrationFast"/>).
    /// </remarks>
    public const int ExactLimit = 2000;

    private bool _computed;
    private RunSeries? _run;
    private IReadOnlyList<int>? _frames;
    private int _t0, _mserT0, _points;
    private double _g, _neff, _mean, _sd;
    private bool _detected;
    private SteadyStateMethod _used;

    /// <summary>A detector with <paramref name="method"/> (default: PepLab's policy, <see cref="SteadyStateMethod.Auto"/>),
    /// reading <paramref name="statistic"/> from runs (default: the weighted mean cluster size, the seed's convergence measure).</summary>
    public SteadyState(SteadyStateMethod method = SteadyStateMethod.Auto, FrameStatistic statistic = FrameStatistic.WeightedMean)
    {
        if (!Enum.IsDefined(method)) throw new ArgumentOutOfRangeException(nameof(method), method, null);
        if (!Enum.IsDefined(statistic)) throw new ArgumentOutOfRangeException(nameof(statistic), statistic, null);
        Method = method;
        Statistic = statistic;
    }

    /// <summary>The method asked for.</summary>
    public SteadyStateMethod Method { get; }

    /// <summary>The per-frame statistic whose series <see cref="Compute(RunSeries)"/> analyses.</summary>
    public FrameStatistic Statistic { get; }

    /// <summary>The detector that applies to a series of <paramref name="points"/> points under <paramref name="method"/>.</summary>
    public static SteadyStateMethod Resolve(SteadyStateMethod method, int points) =>
        method == SteadyStateMethod.Auto ? (points > ExactLimit ? SteadyStateMethod.Fast : SteadyStateMethod.Exact) : method;

    /// <summary>
    /// Finds the steady state of <paramref name="run"/>'s <see cref="Statistic"/> series; the frame
    /// indices come from the run, and <see cref="SteadyRun"/> holds its frames from t0 on.
    /// </summary>
    public SteadyState Compute(RunSeries run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Compute(run.Series(Statistic), run.FrameIndices, $"{run.Name} ({Statistic.Name()})");
        _run = run;
        return this;
    }

    /// <summary>Finds the steady state of <paramref name="series"/>.</summary>
    /// <param name="series">The time series, in time order.</param>
    /// <param name="frameIndices">The trajectory frame of each point (null: point i is frame i).</param>
    /// <param name="subject">Names the series in errors.</param>
    public SteadyState Compute(ReadOnlySpan<double> series, IReadOnlyList<int>? frameIndices = null, string subject = "series")
    {
        if (series.Length == 0) throw new PepLabInputException(subject, "has no points; steady-state detection needs at least one");
        if (frameIndices is not null && frameIndices.Count != series.Length)
            throw new ArgumentException($"{frameIndices.Count} frame indices for {series.Length} points", nameof(frameIndices));
        for (int i = 0; i < series.Length; i++)
            if (!double.IsFinite(series[i]))
                throw new PepLabInputException(subject, $"point {i} is {series[i]}; the series must be finite numbers");
        _computed = false;
        _run = null;
        _frames = frameIndices;
        _points = series.Length;
        _used = Resolve(Method, series.Length);
        _detected = series.Length >= Equilibration.MinimumLength && !SampleStatistics.IsConstant(series);
        if (_detected)
        {
            var eq = _used switch
            {
                SteadyStateMethod.Fast => Equilibration.DetectEquilibrationFast(series),
                SteadyStateMethod.ExactIncreasingLags => Equilibration.DetectEquilibration(series, increasingLagSteps: true),
                _ => Equilibration.DetectEquilibration(series),
            };
            (_t0, _g, _neff) = (eq.T0, eq.G, eq.NEff);
            _mserT0 = Equilibration.Mser(series).T0;
        }
        else
        {
            (_t0, _g, _neff, _mserT0) = (0, 1, 1, 0);
        }
        var steady = series[_t0..];
        _mean = SampleStatistics.Mean(steady);
        _sd = steady.Length > 1 ? SampleStatistics.StandardDeviation(steady) : 0;
        _computed = true;
        return this;
    }

    /// <summary>Points of the series analysed.</summary>
    public int Points => Get(_points);

    /// <summary>The detector that was applied (<see cref="Method"/> resolved for the series' length).</summary>
    public SteadyStateMethod MethodUsed => Get(_used);

    /// <summary>False when the series was too short or constant, and t0 = 0, g = 1 by PepLab's rule rather than detected.</summary>
    public bool Detected => Get(_detected);

    /// <summary>Index in the series of the first steady point (Chodera's t0).</summary>
    public int T0 => Get(_t0);

    /// <summary>Trajectory frame of the first steady point: the unit every command reports t0 in.</summary>
    public int T0Frame => FrameOf(T0);

    /// <summary>Statistical inefficiency g of the series from t0 on (at least 1).</summary>
    public double G => Get(_g);

    /// <summary>Effective number of uncorrelated samples from t0 on, (T - t0 + 1) / g.</summary>
    public double NEff => Get(_neff);

    /// <summary>Mean of the steady part (the points from t0 on).</summary>
    public double Mean => Get(_mean);

    /// <summary>Sample standard deviation of the steady part (0 when it is a single point).</summary>
    public double Sd => Get(_sd);

    /// <summary>Index in the series where White's MSER rule (on the raw series) starts the steady state.</summary>
    public int MserT0 => Get(_mserT0);

    /// <summary>Trajectory frame of <see cref="MserT0"/>.</summary>
    public int MserT0Frame => FrameOf(MserT0);

    /// <summary>The run passed to <see cref="Compute(RunSeries)"/>, trimmed to its steady state (its frames from t0 on).</summary>
    public RunSeries SteadyRun => Get(_run) is { } run
        ? run.From(_t0)
        : throw new InvalidOperationException("SteadyRun needs Compute(RunSeries): the last series computed was not a run");

    /// <summary>The trajectory frame of point <paramref name="index"/> of the last series computed.</summary>
    public int FrameOf(int index)
    {
        Get(0);
        if (index < 0 || index >= _points) throw new ArgumentOutOfRangeException(nameof(index), index, $"the series has {_points} points");
        return _frames?[index] ?? index;
    }

    private T Get<T>(T value) => _computed ? value : throw new InvalidOperationException("call Compute before reading the steady state");
}
