using ScottPlot;

namespace PepLab.Report;

/// <summary>Colours of curves.</summary>
public static class CurveColours
{
    /// <summary>Okabe-Ito order for unordered curves (runs): distinct for colour-blind readers, dark enough on white.</summary>
    private static readonly uint[] Categorical =
    [
        0xFF0072B2, 0xFFD55E00, 0xFF009E73, 0xFFCC79A7, 0xFFE69F00, 0xFF56B4E9, 0xFF000000, 0xFF999933,
        0xFF882255, 0xFF44AA99,
    ];

    /// <summary>Colour of the <paramref name="index"/>-th of several unordered curves (cycles after 10).</summary>
    public static Color Category(int index) => SiteColours.ToColor(Categorical[index % Categorical.Length]);

    /// <summary>
    /// Colour of curve <paramref name="index"/> of <paramref name="count"/> ordered curves (e.g. increasing
    /// Pₜ): viridis from dark purple to green-yellow, leaving out the palest yellow that vanishes on white.
    /// </summary>
    public static Color Ordered(int index, int count)
    {
        double f = count <= 1 ? 0.0 : (double)index / (count - 1);
        return new ScottPlot.Colormaps.Viridis().GetColor(0.85 * f);
    }
}
