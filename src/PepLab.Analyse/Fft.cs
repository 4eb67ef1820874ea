using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        if (re.Length < n || im.Length < n) throw new ArgumentException("buffers shorter than the transform");
        ref double r = ref MemoryMarshal.GetReference(re);
        ref double i0 = ref MemoryMarshal.GetReference(im);
        ref double cos = ref MemoryMarshal.GetArrayDataReference(_cos);
        ref double sin = ref MemoryMarshal.GetArrayDataReference(_sin);
        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (Unsafe.Add(ref r, i), Unsafe.Add(ref r, j)) = (Unsafe.Add(ref r, j), Unsafe.Add(ref r, i));
                (Unsafe.Add(ref i0, i), Unsafe.Add(ref i0, j)) = (Unsafe.Add(ref i0, j), Unsafe.Add(ref i0, i));
            }
        }
        double sign = inverse ? -1 : 1;
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            int step = MaxSize / len;
            for (int k = 0; k < half; k++)
            {
                double wr = Unsafe.Add(ref cos, k * step), wi = sign * Unsafe.Add(ref sin, k * step);
                for (int a = k; a < n; a += len)
                {
                    int b = a + half;
                    double br = Unsafe.Add(ref r, b), bi = Unsafe.Add(ref i0, b);
                    double xr = br * wr - bi * wi;
                    double xi = br * wi + bi * wr;
                    double ar = Unsafe.Add(ref r, a), ai = Unsafe.Add(ref i0, a);
                    Unsafe.Add(ref r, b) = ar - xr;
                    Unsafe.Add(ref i0, b) = ai - xi;
                    Unsafe.Add(ref r, a) = ar + xr;
                    Unsafe.Add(ref i0, a) = ai + xi;
                }
            }
        }
    }
}
