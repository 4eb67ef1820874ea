namespace PepLab.Analyse;

/// <summary>
/// An in-place iterative radix-2 complex FFT (decimation in time) for sizes up to a fixed power of
/// two, with the twiddle factors computed once. Used for the FFT autocorrelation of the fast
/// equilibration detector. Not thread-safe: one instance per thread.
/// </summary>
internal sealed class Fft
{
    private readonly double[] _cos, _sin;

    /// <summary>Prepares transforms of every power-of-two size up to <paramref name="maxSize"/> (a power of two).</summary>
    public Fft(int maxSize)
    {
        if (maxSize < 1 || (maxSize & (maxSize - 1)) != 0) throw new ArgumentException("size must be a power of two", nameof(maxSize));
        MaxSize = maxSize;
        _cos = new double[Math.Max(1, maxSize / 2)];
        _sin = new double[Math.Max(1, maxSize / 2)];
        for (int k = 0; k < maxSize / 2; k++)
        {
            double a = -2 * Math.PI * k / maxSize;
            _cos[k] = Math.Cos(a);
            _sin[k] = Math.Sin(a);
        }
    }

    public int MaxSize { get; }

    /// <summary>The smallest power of two at least <paramref name="n"/>.</summary>
    public static int PowerOfTwoAtLeast(int n)
    {
        int m = 1;
        while (m < n) m <<= 1;
        return m;
    }

    /// <summary>
    /// Transforms <paramref name="re"/>/<paramref name="im"/> (first <paramref name="n"/> values, n a
    /// power of two) in place: forward uses e^(-2 pi i jk/n); <paramref name="inverse"/> uses
    /// e^(+2 pi i jk/n) without the 1/n factor.
    /// </summary>
    public void Transform(Span<double> re, Span<double> im, int n, bool inverse)
    {
        if (n > MaxSize || (n & (n - 1)) != 0) throw new ArgumentException($"size {n} is not a power of two up to {MaxSize}", nameof(n));
        re = re[..n];
        im = im[..n];
        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        double sign = inverse ? -1 : 1;
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            int step = MaxSize / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = _cos[k * step], wi = sign * _sin[k * step];
                    int a = start + k, b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
