namespace PepLab.Analyse;

/// <summary>
/// Statistical inefficiencies of suffixes of one series from FFT autocorrelations, two suffixes per
/// pair of transforms: the deviations of one suffix go into the real part and those of the other
/// into the imaginary part, the two spectra are separated by the symmetry of real signals
/// (X_k = (Z_k + conj Z_(M-k)) / 2, Y_k = (Z_k - conj Z_(M-k)) / 2i), and the two power spectra,
/// both real and even, go back through one inverse transform as its real and imaginary parts.
/// Zero padding to at least twice the suffix length removes the circular wrap-around.
/// </summary>
internal sealed class FftInefficiency
{
    private readonly double[] _values;
    private readonly int _mintime;
    private readonly Fft _fft;
    private readonly double[] _re, _im, _pr, _pi;

    public FftInefficiency(double[] values, int mintime)
    {
        _values = values;
        _mintime = mintime;
        _fft = new Fft(Fft.PowerOfTwoAtLeast(2 * values.Length));
        _re = new double[_fft.MaxSize];
        _im = new double[_fft.MaxSize];
        _pr = new double[_fft.MaxSize];
        _pi = new double[_fft.MaxSize];
    }

    /// <summary>g of the series from start <paramref name="a"/> and from start <paramref name="b"/> (b &lt; 0: none); NaN for a suffix of zero variance.</summary>
    public (double A, double B) Suffixes(int a, int b)
    {
        int T = _values.Length;
        int na = T - a, nb = b >= 0 ? T - b : 0;
        int m = Fft.PowerOfTwoAtLeast(2 * Math.Max(na, nb));
        Array.Clear(_re, 0, m);
        Array.Clear(_im, 0, m);
        double mua = NumpySum.Mean(_values, a, na);
        for (int i = 0; i < na; i++) _re[i] = _values[a + i] - mua;
        if (nb > 0)
        {
            double mub = NumpySum.Mean(_values, b, nb);
            for (int i = 0; i < nb; i++) _im[i] = _values[b + i] - mub;
        }
        _fft.Transform(_re, _im, m, inverse: false);
        for (int k = 0; k < m; k++)
        {
            int j = (m - k) & (m - 1);
            double xr = 0.5 * (_re[k] + _re[j]), xi = 0.5 * (_im[k] - _im[j]);
            double yr = 0.5 * (_im[k] + _im[j]), yi = -0.5 * (_re[k] - _re[j]);
            _pr[k] = xr * xr + xi * xi;
            _pi[k] = yr * yr + yi * yi;
        }
        _fft.Transform(_pr, _pi, m, inverse: true);
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
