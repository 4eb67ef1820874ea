namespace PepLab.Core;

/// <summary>
/// Symmetries of the periodic lattice applied to frames on the fly: translations (the original's
/// stored "rolls", and any shift) and the 8 symmetries of the square (rotations and mirrors), with
/// orientation codes remapped so that every particle still points along its motion. Each maps a
/// valid PEP frame to a valid one with the same statistics, so training can augment without disk.
/// </summary>
public static class FrameTransforms
{
    /// <summary>
    /// numpy's <c>roll(frame, (rows, columns), axis=(0, 1))</c>: the value at (r, c) moves to
    /// (r + rows, c + columns), both periodic. The original stored rolls by (roll, roll).
    /// </summary>
    public static void Roll(ReadOnlySpan<byte> source, Span<byte> destination, int nx, int ny, int rows, int columns)
    {
        Check(source, destination, nx, ny);
        int dr = Lattice.Mod(rows, nx), dc = Lattice.Mod(columns, ny);
        for (int r = 0; r < nx; r++)
        {
            var from = source.Slice(r * ny, ny);
            var to = destination.Slice(((r + dr) % nx) * ny, ny);
            // the row's last dc values wrap to its front
            from[(ny - dc)..].CopyTo(to);
            from[..(ny - dc)].CopyTo(to[dc..]);
        }
    }

    /// <summary>Number of elements of the square's symmetry group D4.</summary>
    public const int SymmetryCount = 8;

    /// <summary>Names of the 8 symmetries, by element index.</summary>
    public static readonly string[] SymmetryNames =
    [
        "identity", "rotate90", "rotate180", "rotate270",
        "mirror", "mirror+rotate90", "mirror+rotate180", "mirror+rotate270",
    ];

    /// <summary>
    /// True when element <paramref name="element"/> applies to an nx x ny lattice: the quarter turns
    /// (odd rotations) need a square lattice; identity, the half turn and the mirrors work on any.
    /// </summary>
    public static bool Applies(int element, int nx, int ny) => nx == ny || (element & 1) == 0;

    /// <summary>
    /// Applies D4 element <paramref name="element"/> (0..7): first a left-right mirror when
    /// element >= 4 (numpy <c>fliplr</c>), then <c>element % 4</c> quarter turns counter-clockwise
    /// (numpy <c>rot90</c>). Orientation codes turn with the image: after a counter-clockwise quarter
    /// turn, right becomes up, up becomes left, left becomes down and down becomes right; a mirror
    /// swaps left and right.
    /// </summary>
    public static void Symmetry(ReadOnlySpan<byte> source, Span<byte> destination, int nx, int ny, int element)
    {
        Check(source, destination, nx, ny);
        if (element is < 0 or >= SymmetryCount)
            throw new ArgumentOutOfRangeException(nameof(element), element, "D4 elements are 0..7");
        if (!Applies(element, nx, ny))
            throw new ArgumentException($"a quarter turn needs a square lattice (got {nx} x {ny})", nameof(element));
        bool mirror = element >= 4;
        int turns = element & 3;
        Span<byte> map = stackalloc byte[5];
        for (int code = 0; code <= 4; code++) map[code] = RemapCode((byte)code, mirror, turns);

        // Output (i, j) of the rotated image reads input position (r, c); out shape (nx', ny').
        int outRows = (turns & 1) == 0 ? nx : ny, outCols = (turns & 1) == 0 ? ny : nx;
        for (int i = 0; i < outRows; i++)
        {
            for (int j = 0; j < outCols; j++)
            {
                // invert the rotation: rot90 once maps (r, c) -> (n - 1 - c, r)
                int r, c;
                switch (turns)
                {
                    case 0: r = i; c = j; break;
                    case 1: r = j; c = ny - 1 - i; break;          // out[i, j] = in[j, ny-1-i]
                    case 2: r = nx - 1 - i; c = ny - 1 - j; break;
                    default: r = nx - 1 - j; c = i; break;          // out[i, j] = in[nx-1-j, i]
                }
                if (mirror) c = ny - 1 - c;
                destination[i * outCols + j] = map[source[r * ny + c]];
            }
        }
    }

    /// <summary>The orientation code after the mirror (if any) and <paramref name="turns"/> counter-clockwise quarter turns.</summary>
    public static byte RemapCode(byte code, bool mirror, int turns)
    {
        if (code == Orientation.Empty) return code;
        int d = code - 1;                       // 0 up, 1 right, 2 down, 3 left
        if (mirror && (d & 1) == 1) d ^= 2;     // right <-> left
        d = (d + 3 * (turns & 3)) & 3;          // each CCW quarter turn: right -> up -> left -> down -> right
        return (byte)(d + 1);
    }

    private static void Check(ReadOnlySpan<byte> source, Span<byte> destination, int nx, int ny)
    {
        if (source.Length != nx * ny || destination.Length != nx * ny)
            throw new ArgumentException($"frames must hold {nx} x {ny} = {nx * ny} sites");
        if (source.Overlaps(destination))
            throw new ArgumentException("source and destination must not overlap");
    }
}
