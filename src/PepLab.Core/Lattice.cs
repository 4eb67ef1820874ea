namespace PepLab.Core;

/// <summary>
/// Geometry of the periodic square lattice: <see cref="Nx"/> rows by <see cref="Ny"/> columns,
/// sites numbered row-major (<c>site = row * Ny + column</c>), periodic in both directions.
/// This is the single home of the neighbour rule; every stage asks it rather than re-deriving it.
/// </summary>
public sealed class Lattice : IEquatable<Lattice>
{
    /// <summary>Creates an <paramref name="nx"/> x <paramref name="ny"/> periodic lattice.</summary>
    public Lattice(int nx, int ny)
    {
        if (nx < 2) throw new PepLabInputException("nx", $"lattice rows must be at least 2 (got {nx})");
        if (ny < 2) throw new PepLabInputException("ny", $"lattice columns must be at least 2 (got {ny})");
        if ((long)nx * ny > int.MaxValue / 4)
            throw new PepLabInputException("nx", $"lattice of {nx} x {ny} sites is too large");
        Nx = nx;
        Ny = ny;
    }

    /// <summary>Number of rows (first axis of a frame).</summary>
    public int Nx { get; }

    /// <summary>Number of columns (second axis of a frame).</summary>
    public int Ny { get; }

    /// <summary>Number of sites, <c>Nx * Ny</c>.</summary>
    public int Sites => Nx * Ny;

    /// <summary>Site index of (row, column), both taken modulo the lattice size.</summary>
    public int Index(int row, int column) => Mod(row, Nx) * Ny + Mod(column, Ny);

    /// <summary>Row of a site.</summary>
    public int Row(int site) => site / Ny;

    /// <summary>Column of a site.</summary>
    public int Column(int site) => site % Ny;

    /// <summary>The neighbouring site of <paramref name="site"/> in direction <paramref name="direction"/> (0..3).</summary>
    public int Neighbour(int site, int direction)
    {
        int r = site / Ny, c = site % Ny;
        return Index(r + Orientation.RowStep(direction), c + Orientation.ColumnStep(direction));
    }

    /// <summary>
    /// Table of neighbours, <c>table[4 * site + direction]</c>, with the wrap-around of both axes
    /// (rows wrap by <see cref="Nx"/>, columns by <see cref="Ny"/>, also when they differ).
    /// </summary>
    public int[] NeighbourTable()
    {
        var table = new int[4 * Sites];
        for (int s = 0; s < Sites; s++)
            for (int d = 0; d < 4; d++)
                table[4 * s + d] = Neighbour(s, d);
        return table;
    }

    /// <summary>Python-style modulo (result in [0, n)).</summary>
    public static int Mod(int a, int n)
    {
        int m = a % n;
        return m < 0 ? m + n : m;
    }

    public bool Equals(Lattice? other) => other is not null && other.Nx == Nx && other.Ny == Ny;
    public override bool Equals(object? obj) => Equals(obj as Lattice);
    public override int GetHashCode() => HashCode.Combine(Nx, Ny);
    public override string ToString() => $"{Nx}x{Ny}";
}
