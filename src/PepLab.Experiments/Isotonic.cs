namespace PepLab.Experiments;

/// <summary>
/// A monotone fit y(x) by isotonic regression (pool adjacent violators): the least-squares
/// non-decreasing (or non-increasing) step function through the points, evaluated by linear
/// interpolation between the centres of its blocks and held constant beyond them.
/// </summary>
public sealed class Isotonic
{
    private readonly double[] _x;
    private readonly double[] _y;

    private Isotonic(double[] x, double[] y)
    {
        _x = x;
        _y = y;
    }

    /// <summary>Block centres and values of the fit.</summary>
    public IReadOnlyList<(double X, double Y)> Blocks => _x.Zip(_y).ToList();

    public static Isotonic Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, bool increasing)
    {
        if (x.Count != y.Count) throw new ArgumentException("x and y differ in length");
        var order = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).OrderBy(i => x[i]).ToList();
        if (order.Count == 0) throw new ArgumentException("no finite point to fit");
        double sign = increasing ? 1 : -1;
        // Blocks: (sum of x, sum of y, count); merged while the last two violate the order.
        var sx = new List<double>();
        var sy = new List<double>();
        var n = new List<double>();
        foreach (int i in order)
        {
            sx.Add(x[i]);
            sy.Add(sign * y[i]);
            n.Add(1);
            while (sy.Count > 1 && sy[^2] / n[^2] >= sy[^1] / n[^1])
            {
                sx[^2] += sx[^1];
                sy[^2] += sy[^1];
                n[^2] += n[^1];
                sx.RemoveAt(sx.Count - 1);
                sy.RemoveAt(sy.Count - 1);
                n.RemoveAt(n.Count - 1);
            }
        }
        return new Isotonic(sx.Select((s, k) => s / n[k]).ToArray(), sy.Select((s, k) => sign * s / n[k]).ToArray());
    }

    public double Predict(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x <= _x[0]) return _y[0];
        if (x >= _x[^1]) return _y[^1];
        int k = Array.BinarySearch(_x, x);
        if (k >= 0) return _y[k];
        k = ~k;
        double t = (x - _x[k - 1]) / (_x[k] - _x[k - 1]);
        return _y[k - 1] + t * (_y[k] - _y[k - 1]);
    }
}
