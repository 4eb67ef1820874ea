using PepLab.Core;

namespace PepLab.Tests;

/// <summary>
/// Frames drawn as text for tests: '.' empty; '^' '>' 'v' '<' particles pointing up, right, down,
/// left; '#' a particle pointing up (for shapes where orientation does not matter).
/// </summary>
public static class FrameSketch
{
    public static (Lattice Lattice, byte[] Frame) Draw(params string[] rows)
    {
        int nx = rows.Length, ny = rows[0].Length;
        var frame = new byte[nx * ny];
        for (int r = 0; r < nx; r++)
        {
            Assert.Equal(ny, rows[r].Length);
            for (int c = 0; c < ny; c++)
                frame[r * ny + c] = rows[r][c] switch
                {
                    '.' => Orientation.Empty,
                    '^' or '#' => Orientation.Up,
                    '>' => Orientation.Right,
                    'v' => Orientation.Down,
                    '<' => Orientation.Left,
                    var ch => throw new ArgumentException($"unknown cell '{ch}'"),
                };
        }
        return (new Lattice(nx, ny), frame);
    }
}
