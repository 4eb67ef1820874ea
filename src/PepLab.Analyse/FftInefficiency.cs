using MathNet.Numerics.IntegralTransforms;

namespace PepLab.Analyse;

/// <summary>
/// Statistical inefficiencies of suffixes of one series from FFT autocorrelations, two suffixes per
/// pair of transforms: the deviations of one suffix go into the real part and those of the other
/// into the imaginary part, the two spectra are separated by the symmetry of real signals
/// (X_k = (Z_k + conj Z_(M-k)) / 2, Y_k = (Z_k - conj Z_(M-k)) / 2i), and the two power spectra,
/// both real and even, go back through one inverse transform as its real and imaginary parts.
/// Zero padding to at least twice the suffix length removes the circular wrap-around. The
/// transforms are MathNet.Numerics' (unscaled, so the inverse returns M times the correlation).
/// </summary>
internal sealed class FftInefficiency
{
    private readonly double[] _values;
    private readonly int _mintime;
    // Work buffers per transform size (a power of two): MathNet transforms whole arrays.
    private readonly Dictionary<int, (double[] Re, double[] Im, double[] Pr, double[] Pi)> _buffers = new();

    public FftInefficiency(double[] values, int mintime)
    {
        _values = values;
        _mintime = mintime;
    }

    /// <summary>The smallest power of two at least <paramref name="n"/>.</summary>
    private static int PowerOfTwoAtLeast(int n)
    {
        int m = 1;
        while (m < n) m <<= 1;
        return m;
    }

    /// <summary>g of the series from start <paramref name="a"/> and from start <paramref name="b"/> (b &lt; 0: none); NaN for a suffix of zero variance.</summary>
    public (double A, double B) Suffixes(int a, int b)
    {
        int T = _values.Length;
        int na = T - a, nb = b >= 0 ? T - b : 0;
        int m = PowerOfTwoAtLeast(2 * Math.Max(na, nb));
        if (!_buffers.TryGetValue(m, out var buffers))
            _buffers[m] = buffers = (new double[m], new double[m], new double[m], new double[m]);
        var (_re, _im, _pr, _pi) = buffers;
        Array.Clear(_re);
        Array.Clear(_im);
        double mua = NumpySum.Mean(_values, a, na);
        for (int i = 0; i < na; i++) _re[i] = _values[a + i] - mua;
        if (nb > 0)
        {
            double mub = NumpySum.Mean(_values, b, nb);
            for (int i = 0; i < nb; i++) _im[i] = _values[b + i] - mub;
        }
        Fourier.Forward(_re, _im, FourierOptions.NoScaling);
        for (int k = 0; k < m; k++)
        {
            int j = (m - k) & (m - 1);
            double xr = 0.5 * (_re[k] + _re[j]), xi = 0.5 * (_im[k] - _im[j]);
            double yr = 0.5 * (_im[k] + _im[j]), yi = -0.5 * (_re[k] - _re[j]);
            _pr[k] = xr * xr + xi * xi;
            _pi[k] = yr * yr + yi * yi;
        }
        Fourier.Inverse(_pr, _pi, FourierOptions.NoScaling);
        return (Inefficiency(_pr, na, m), nb > 0 ? Inefficiency(_pi, nb, m) : double.NaN);
    }

    /// <summary>g from the unnormalised autocorrelation sums acf[t] = m * sum_i d_i d_(i+t) of a suffix of <paramref name="n"/> points.</summary>
    private double Inefficiency(double[] acf, int n, int m)
    {
        double sigma2 = acf[0] / m / n;
        // Zero variance, or only rounding noise of a constant suffix (relative to the data scale).
        if (!(sigma2 > 0)) return double.NaN;
        double g = 1.0;
        for (int t = 1; t < n - 1; t++)
        {
            double c = acf[t] / m / ((n - t) * sigma2);
            // The transform leaves rounding noise of about 1e-16 (C(0) = 1) where the exact sum is 0,
            // as it often is for integer data; snap it so the stopping rule sees the same zero.
            if (Math.Abs(c) < 1e-12) c = 0;
            if (c <= 0.0 && t > _mintime) break;
            g += 2.0 * c * (1.0 - (double)t / n);
        }
        return g < 1.0 ? 1.0 : g;
    }
}
