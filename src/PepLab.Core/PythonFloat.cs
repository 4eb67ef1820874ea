using System.Globalization;
using System.Numerics;

namespace PepLab.Core;

/// <summary>
/// Python's text forms of a float, reproduced exactly: <c>repr(x)</c> / <c>f"{x}"</c> and
/// <c>f"{x:.Nf}"</c>. The original sampler put both in its file names, so matching them byte for
/// byte is what keeps exported names identical to the ones old notebooks expect.
/// </summary>
public static class PythonFloat
{
    /// <summary>
    /// <c>repr(x)</c>: the shortest digits that round-trip, in fixed notation with at least one
    /// decimal (<c>0.15</c>, <c>1.0</c>, <c>0.15000000000000002</c>, <c>0.0001</c>) unless the
    /// decimal exponent is below -4 or above 15 (<c>1e-05</c>, <c>1.5e-07</c>, <c>1e+16</c>).
    /// </summary>
    public static string Repr(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(x) ? "-" : "";
        if (x == 0) return sign + "0.0";

        // .NET's round-trip form has the same shortest digits as Python; only the layout differs.
        var (digits, decpt) = ShortestDigits(Math.Abs(x));
        int n = digits.Length;
        if (decpt <= -4 || decpt > 16)
        {
            int exponent = decpt - 1;
            string mantissa = n == 1 ? digits : digits[..1] + "." + digits[1..];
            string e = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{e}";
        }
        if (decpt <= 0) return sign + "0." + new string('0', -decpt) + digits;
        if (decpt >= n) return sign + digits + new string('0', decpt - n) + ".0";
        return sign + digits[..decpt] + "." + digits[decpt..];
    }

    /// <summary>
    /// <c>f"{x:.{decimals}f}"</c>: the exact binary value rounded to <paramref name="decimals"/>
    /// places, ties to even (Python gives <c>0.062</c> for 0.0625 at 3 places).
    /// </summary>
    public static string Fixed(double x, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(x) ? "-" : "";

        // |x| = mantissa * 2^exponent exactly.
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        int biased = (int)(bits >> 52);
        long fraction = bits & ((1L << 52) - 1);
        BigInteger mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        int exponent = (biased == 0 ? 1 : biased) - 1075;

        BigInteger scaled = mantissa * BigInteger.Pow(10, decimals);
        BigInteger q;
        if (exponent >= 0)
        {
            q = scaled << exponent;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -exponent;
            q = BigInteger.DivRem(scaled, denominator, out var r);
            int cmp = (r * 2).CompareTo(denominator);
            if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
        }
        string s = q.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        return decimals == 0 ? sign + s : sign + s[..^decimals] + "." + s[^decimals..];
    }

    /// <summary>Shortest round-trip digits of a positive finite <paramref name="x"/>, and the decimal
    /// point position: x = 0.DIGITS * 10^decpt.</summary>
    private static (string Digits, int Decpt) ShortestDigits(double x)
    {
        string r = x.ToString("R", CultureInfo.InvariantCulture); // "0.15", "1E-05", "1.2345678901234568E+17"
        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int point = r.IndexOf('.');
        string intPart = point >= 0 ? r[..point] : r;
        string fracPart = point >= 0 ? r[(point + 1)..] : "";
        string all = intPart + fracPart;
        int decpt = intPart.Length + exponent;
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0') lead++;
        all = all[lead..];
        decpt -= lead;
        all = all.TrimEnd('0');
        return (all.Length == 0 ? "0" : all, decpt);
    }
}
