using PepLab.Core;

namespace PepLab.Report;

/// <summary>
/// The colours of lattice sites, as 0xAARRGGBB. Orientations use four colours of the Okabe-Ito
/// palette, which stay distinct under the common forms of colour blindness; empty sites are dark so
/// that particles stand out; clusters cycle through a qualitative palette.
/// </summary>
public static class SiteColours
{
    /// <summary>Empty site: near-black.</summary>
    public const uint Empty = 0xFF1E1E24;

    /// <summary>Particle pointing up (code 1): orange.</summary>
    public const uint Up = 0xFFE69F00;

    /// <summary>Particle pointing right (code 2): sky blue.</summary>
    public const uint Right = 0xFF56B4E9;

    /// <summary>Particle pointing down (code 3): bluish green.</summary>
    public const uint Down = 0xFF009E73;

    /// <summary>Particle pointing left (code 4): reddish purple.</summary>
    public const uint Left = 0xFFCC79A7;

    /// <summary>Cluster outlines: white.</summary>
    public const uint Outline = 0xFFFFFFFF;

    /// <summary>A particle alone (cluster of size 1) when colouring by cluster: mid grey.</summary>
    public const uint Single = 0xFF6E6E78;

    /// <summary>A code outside 0..4 (a damaged frame): magenta, impossible to miss.</summary>
    public const uint Invalid = 0xFFFF00FF;

    /// <summary>Colours of clusters of 2 or more particles, cycled by label (bright, distinct on the dark background).</summary>
    public static IReadOnlyList<uint> ClusterCycle { get; } =
    [
        0xFFE69F00, 0xFF56B4E9, 0xFF009E73, 0xFFF0E442, 0xFF0072B2, 0xFFD55E00, 0xFFCC79A7,
        0xFF8DD3C7, 0xFFFB8072, 0xFFB3DE69, 0xFFBC80BD,
    ];

    /// <summary>Colour of orientation code 0..4 (0 = empty).</summary>
    public static uint OfCode(byte code) => code switch
    {
        Orientation.Empty => Empty,
        Orientation.Up => Up,
        Orientation.Right => Right,
        Orientation.Down => Down,
        Orientation.Left => Left,
        _ => Invalid,
    };

    /// <summary>Colour of a cluster with <paramref name="label"/> (1..K) and <paramref name="size"/> particles.</summary>
    public static uint OfCluster(int label, int size) =>
        size <= 1 ? Single : ClusterCycle[(label - 1) % ClusterCycle.Count];

    /// <summary>The four orientations with their legend names and colours, in code order.</summary>
    public static IReadOnlyList<(byte Code, string Name, uint Colour)> Orientations { get; } =
    [
        (Orientation.Up, "up", Up),
        (Orientation.Right, "right", Right),
        (Orientation.Down, "down", Down),
        (Orientation.Left, "left", Left),
    ];

    /// <summary>ScottPlot colour of an 0xAARRGGBB value.</summary>
    public static ScottPlot.Color ToColor(uint argb) =>
        new((byte)(argb >> 16), (byte)(argb >> 8), (byte)argb, (byte)(argb >> 24));
}
