using PepLab.Core;

namespace PepLab.Tests;

public class LatticeTests
{
    [Fact]
    public void NeighboursWrapRowsByNxAndColumnsByNy()
    {
        var lattice = new Lattice(3, 5);
        // site (0, 0): up wraps to row 2, left wraps to column 4.
        Assert.Equal(lattice.Index(2, 0), lattice.Neighbour(0, 0));
        Assert.Equal(lattice.Index(0, 1), lattice.Neighbour(0, 1));
        Assert.Equal(lattice.Index(1, 0), lattice.Neighbour(0, 2));
        Assert.Equal(lattice.Index(0, 4), lattice.Neighbour(0, 3));
        // site (2, 4): down wraps to row 0, right wraps to column 0.
        int corner = lattice.Index(2, 4);
        Assert.Equal(lattice.Index(0, 4), lattice.Neighbour(corner, 2));
        Assert.Equal(lattice.Index(2, 0), lattice.Neighbour(corner, 1));
    }

    [Fact]
    public void NeighbourTableIsABijectionPerDirection()
    {
        var lattice = new Lattice(4, 7);
        var table = lattice.NeighbourTable();
        for (int d = 0; d < 4; d++)
        {
            var targets = Enumerable.Range(0, lattice.Sites).Select(s => table[4 * s + d]).ToHashSet();
            Assert.Equal(lattice.Sites, targets.Count);
            // stepping forward then back returns home
            for (int s = 0; s < lattice.Sites; s++)
                Assert.Equal(s, table[4 * table[4 * s + d] + (d + 2) % 4]);
        }
    }

    [Fact]
    public void ParticleCountTruncatesLikePython()
    {
        Assert.Equal(2457, RunParameters.ParticleCount(0.15, 128, 128));
        // Python evaluates int(0.29 * 100 * 1) = int(28.999999999999996) = 28 but int(0.29 * 10 * 10) = 29.
        Assert.Equal(28, RunParameters.ParticleCount(0.29, 100, 1));
        Assert.Equal(29, RunParameters.ParticleCount(0.29, 10, 10));
        Assert.Equal(43, RunParameters.DefaultInterval(Math.Pow(2, -6 + 5.0 / 9)));
        Assert.Null(RunParameters.DefaultInterval(0));
    }
}
