namespace PepLab.Core;

/// <summary>
/// Orientation codes, as the original code stores them in a snapshot image:
/// 0 = empty site, 1 = up (row - 1), 2 = right (column + 1), 3 = down (row + 1), 4 = left (column - 1).
/// A particle's <em>direction</em> is its code minus one (0..3).
/// </summary>
public static class Orientation
{
    public const byte Empty = 0;
    public const byte Up = 1;
    public const byte Right = 2;
    public const byte Down = 3;
    public const byte Left = 4;

    /// <summary>Number of orientations a particle can take.</summary>
    public const int Count = 4;

    /// <summary>Human-readable name of a code 0..4.</summary>
    public static string Name(byte code) => code switch
    {
        Empty => "empty",
        Up => "up",
        Right => "right",
        Down => "down",
        Left => "left",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "orientation codes are 0..4"),
    };

    /// <summary>
    /// The meaning of every code, built from <see cref="Name"/>: <c>"0 empty, 1 up, 2 right, 3 down, 4 left"</c>.
    /// Trajectory files carry it as an attribute, so a file says how to read its frames.
    /// </summary>
    public static string CodeTable { get; } =
        string.Join(", ", Enumerable.Range(Empty, Left + 1).Select(c => $"{c} {Name((byte)c)}"));

    /// <summary>Row change of one step in direction 0..3 (up, right, down, left).</summary>
    public static int RowStep(int direction) => direction switch { 0 => -1, 2 => 1, 1 or 3 => 0, _ => Throw(direction) };

    /// <summary>Column change of one step in direction 0..3 (up, right, down, left).</summary>
    public static int ColumnStep(int direction) => direction switch { 1 => 1, 3 => -1, 0 or 2 => 0, _ => Throw(direction) };

    /// <summary>Unit vector (x to the right, y up the page) of a particle code 1..4; (0, 0) for empty.</summary>
    public static (double X, double Y) Vector(byte code) => code switch
    {
        Up => (0, 1),
        Right => (1, 0),
        Down => (0, -1),
        Left => (-1, 0),
        _ => (0, 0),
    };

    /// <summary>True when every value of the frame is a valid code 0..4.</summary>
    public static bool IsValidFrame(ReadOnlySpan<byte> frame)
    {
        foreach (var v in frame)
            if (v > Left) return false;
        return true;
    }

    private static int Throw(int direction) =>
        throw new ArgumentOutOfRangeException(nameof(direction), direction, "directions are 0..3");
}
