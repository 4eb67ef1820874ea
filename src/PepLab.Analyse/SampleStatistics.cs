using MathNet.Numerics.Statistics;

namespace PepLab.Analyse;

/// <summary>
/// Summary statistics of a sample, with NumPy's definitions, for every stage of PepLab (the learning
/// metrics, the report figures, the steady state): the mean, the sample standard deviation
/// (<c>numpy.std(x, ddof=1)</c>), quantiles with linear interpolation between order statistics
/// (<c>numpy.quantile</c>'s default, Hyndman and Fan's definition 7), the median, and Pearson's r
/// (<c>numpy.corrcoef</c>). The arithmetic is MathNet.Numerics'; its rounding may differ from
/// NumPy's in the last digit (NumPy sums pairwise), never in the definition.
/// </summary>
/// <remarks>
/// Edge cases, as MathNet's <c>ArrayStatistics</c>: no values give NaN for every statistic; one value
/// gives NaN for the standard deviation and Pearson's r; a quantile of one value is that value.
/// Nothing here changes its input.
/// </remarks>
public static class SampleStatistics
{
    /// <summary>The arithmetic mean; NaN for no values.</summary>
    public static double Mean(ReadOnlySpan<double> values) =>
        values.Length == 0 ? double.NaN : ArrayStatistics.Mean(values.ToArray());

    /// <summary>The sample standard deviation, sqrt(sum (x - mean)^2 / (n - 1)); NaN below two values.</summary>
    public static double StandardDeviation(ReadOnlySpan<double> values) =>
        values.Length < 2 ? double.NaN : ArrayStatistics.StandardDeviation(values.ToArray());

    /// <summary>
    /// The <paramref name="q"/>-quantile with linear interpolation: position q (n - 1) in the sorted
    /// values, interpolated between the two order statistics around it (NumPy's default; R's type 7).
    /// NaN for no values.
    /// </summary>
    /// <param name="values">The sample, in any order (a sorted copy is made).</param>
    /// <param name="q">The quantile, 0 to 1 (0.5: the median).</param>
    public static double Quantile(ReadOnlySpan<double> values, double q)
    {
        CheckQuantile(q);
        if (values.Length == 0) return double.NaN;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return SortedArrayStatistics.QuantileCustom(sorted, q, QuantileDefinition.R7);
    }

    /// <summary>As <see cref="Quantile"/>, on values already sorted in increasing order (not checked).</summary>
    public static double QuantileSorted(double[] sorted, double q)
    {
        CheckQuantile(q);
        return sorted.Length == 0 ? double.NaN : SortedArrayStatistics.QuantileCustom(sorted, q, QuantileDefinition.R7);
    }

    /// <summary>The median: the middle value, or the mean of the two middle values of an even count; NaN for no values.</summary>
    public static double Median(ReadOnlySpan<double> values) => Quantile(values, 0.5);

    /// <summary>
    /// Pearson's correlation coefficient r of two equally long samples; NaN below two pairs or when
    /// either sample is constant.
    /// </summary>
    /// <remarks>
    /// A constant sample has no correlation, but rounding can make one up: the mean of 1000 copies of
    /// ln(0.015625) differs from each copy in the last bit, so the deviations are not all zero and
    /// r comes out as a number. A sample whose values are all equal therefore gives NaN directly.
    /// </remarks>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"the samples differ in length ({x.Length} and {y.Length})", nameof(y));
        if (x.Length < 2 || IsConstant(x) || IsConstant(y)) return double.NaN;
        return Correlation.Pearson(x.ToArray(), y.ToArray());
    }

    /// <summary>True when every value equals the first (exactly; a NaN is never equal).</summary>
    public static bool IsConstant(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
            if (v != values[0]) return false;
        return true;
    }

    private static void CheckQuantile(double q)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile lies in 0..1");
    }
}
