using System.Runtime.CompilerServices;

namespace PepLab.Analyse;

/// <summary>A source of the values to sum, inlined by the JIT (one struct per kind of element).</summary>
internal interface IValues
{
    double this[int i] { get; }
}

/// <summary>The values of an array from an offset.</summary>
internal readonly struct ArrayValues(double[] a, int offset) : IValues
{
    public double this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => a[offset + i];
    }
}

/// <summary>
/// The lag-<c>t</c> cross terms <c>d[i] * d[i + t] + d[i] * d[i + t]</c> of a fluctuation series, in
/// the order the autocorrelation estimate of the equilibration code forms them.
/// </summary>
internal readonly struct LagProducts(double[] d, int lag) : IValues
{
    public double this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // A * B[t:] + B * A[t:] with B = A: both products are the same number, so the sum is 2a exactly.
            double a = d[i] * d[i + lag];
            return a + a;
        }
    }
}

/// <summary>The squares <c>d[i] * d[i]</c>.</summary>
internal readonly struct Squares(double[] d) : IValues
{
    public double this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => d[i] * d[i];
    }
}

/// <summary>
/// Floating-point sums in exactly the order NumPy (1.x, contiguous float64) uses for <c>sum</c> and
/// <c>mean</c>: the array is taken in blocks of 8192 values added one after the other to 0.0, and
/// each block is summed pairwise (halves rounded down to a multiple of 8 above 128 values; eight
/// interleaved partial sums for up to 128 values; a plain loop under 8). Reproducing the order
/// reproduces the rounding, so results that depend on exact ties or exact zeros (a constant series,
/// equal effective sample counts) come out the same as in the Python reference implementation.
/// </summary>
internal static class NumpySum
{
    private const int BufferSize = 8192;
    private const int BlockSize = 128;

    public static double Sum<T>(in T values, int n) where T : struct, IValues
    {
        double result = 0.0;
        for (int start = 0; start < n; start += BufferSize)
            result += Pairwise(values, start, Math.Min(BufferSize, n - start));
        return result;
    }

    public static double Sum(double[] a, int offset, int n) => Sum(new ArrayValues(a, offset), n);

    public static double Mean(double[] a, int offset, int n) => Sum(a, offset, n) / n;

    private static double Pairwise<T>(in T v, int start, int n) where T : struct, IValues
    {
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++) res += v[start + i];
            return res;
        }
        if (n <= BlockSize)
        {
            double r0 = v[start], r1 = v[start + 1], r2 = v[start + 2], r3 = v[start + 3];
            double r4 = v[start + 4], r5 = v[start + 5], r6 = v[start + 6], r7 = v[start + 7];
            int i = 8;
            int whole = n - n % 8;
            for (; i < whole; i += 8)
            {
                int j = start + i;
                r0 += v[j];
                r1 += v[j + 1];
                r2 += v[j + 2];
                r3 += v[j + 3];
                r4 += v[j + 4];
                r5 += v[j + 5];
                r6 += v[j + 6];
                r7 += v[j + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += v[start + i];
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return Pairwise(v, start, half) + Pairwise(v, start + half, n - half);
    }
}
