using PepLab.Tests;
using PepLab.Core;

namespace PepLab.Analyse.Tests;

public class ClusterLabellerTests
{
    private static ClusterLabeller Label(out byte[] frame, bool properties, params string[] rows)
    {
        var (lattice, f) = FrameSketch.Draw(rows);
        var labeller = new ClusterLabeller(lattice);
        labeller.Compute(f, properties);
        frame = f;
        return labeller;
    }

    private static int[] SortedSizes(ClusterLabeller l) => l.Sizes.ToArray().OrderDescending().ToArray();

    [Fact]
    public void SeparateBlocksInTheInterior()
    {
        var l = Label(out _, false,
            ".....",
            ".##..",
            ".##..",
            "....#",
            ".....");
        Assert.Equal(2, l.ClusterCount);
        Assert.Equal([4, 1], SortedSizes(l));
        Assert.Equal(5, l.Statistics.Particles);
        Assert.Equal(2.5, l.Statistics.MeanSize);
        Assert.Equal((16 + 1) / 5.0, l.Statistics.WeightedMeanSize);
        Assert.Equal(4, l.Statistics.LargestSize);
        Assert.Equal(0.8, l.Statistics.LargestFraction);
    }

    [Fact]
    public void ClusterWrapsAcrossTheLeftRightEdge()
    {
        var l = Label(out _, false,
            ".......",
            "##...##",
            ".......");
        Assert.Equal(1, l.ClusterCount);
        Assert.Equal(4, l.Sizes[0]);
    }

    [Fact]
    public void ClusterWrapsAcrossTheTopBottomEdge()
    {
        // The original's fix-up after scipy.ndimage.label never merged this edge.
        var l = Label(out _, false,
            "..#..",
            ".....",
            ".....",
            "..#..",
            "..#..");
        Assert.Equal(1, l.ClusterCount);
        Assert.Equal(3, l.Sizes[0]);
    }

    [Fact]
    public void AllFourCornersAreOneCluster()
    {
        var l = Label(out _, true,
            "#....#",
            "......",
            "......",
            "#....#");
        Assert.Equal(1, l.ClusterCount);
        Assert.Equal(4, l.Sizes[0]);
        var c = l.Clusters[0];
        // The centre is between the four corner sites, across both periodic edges.
        Assert.Equal(3.5, c.CentreRow, 9);
        Assert.Equal(5.5, c.CentreColumn, 9);
        Assert.Equal(Math.Sqrt(0.5), c.RadiusOfGyration, 9);
    }

    [Fact]
    public void CornerPairsOnEachDiagonalAreNotJoined()
    {
        // Diagonal neighbours do not touch (4-neighbour clusters), also across the corner.
        var l = Label(out _, false,
            "#....",
            ".....",
            ".....",
            "....#");
        Assert.Equal(2, l.ClusterCount);
    }

    [Fact]
    public void CentreOfAWrappedClusterLiesInsideIt()
    {
        // A plus centred on site (0, 0), its arms wrapping across both edges.
        var l = Label(out _, true,
            "##..#",
            "#....",
            ".....",
            "#....");
        Assert.Equal(1, l.ClusterCount);
        var c = l.Clusters[0];
        Assert.Equal(5, c.Size);
        Assert.Equal(0, ClusterLabeller.MinimumImage(c.CentreRow, 4), 9);
        Assert.Equal(0, ClusterLabeller.MinimumImage(c.CentreColumn, 5), 9);
        Assert.Equal(Math.Sqrt(4 / 5.0), c.RadiusOfGyration, 9);
        int row = (int)Math.Round(c.CentreRow) % 4, column = (int)Math.Round(c.CentreColumn) % 5;
        Assert.Equal(c.Label, l.Labels[row * 5 + column]);
    }

    [Fact]
    public void CentreOfMassOfEveryRandomClusterFollowsARoll()
    {
        // Rolling a frame translates each cluster: its size, radius and polarisation stay, its centre moves by the roll.
        var lattice = new Lattice(12, 9);
        var rng = new Random(5);
        var frame = Frames.Random(lattice, 0.35, rng);
        var a = new ClusterLabeller(lattice);
        a.Compute(frame, properties: true);
        var rolled = Frames.Roll(lattice, frame, 5, 7);
        var b = new ClusterLabeller(lattice);
        b.Compute(rolled, properties: true);
        Assert.Equal(a.ClusterCount, b.ClusterCount);
        for (int s = 0; s < lattice.Sites; s++)
        {
            if (frame[s] == 0) continue;
            var ca = a.Clusters[a.Labels[s] - 1];
            var cb = b.Clusters[b.Labels[lattice.Index(lattice.Row(s) + 5, lattice.Column(s) + 7)] - 1];
            Assert.Equal(ca.Size, cb.Size);
            Assert.Equal(ca.RadiusOfGyration, cb.RadiusOfGyration, 9);
            Assert.Equal(ca.PolarisationX, cb.PolarisationX, 12);
            Assert.Equal(ca.PolarisationY, cb.PolarisationY, 12);
            if (ca.Size < 3) continue; // a cluster spanning a whole ring has no defined centre
            Assert.Equal(0, ClusterLabeller.MinimumImage(cb.CentreRow - ca.CentreRow - 5, 12), 6);
            Assert.Equal(0, ClusterLabeller.MinimumImage(cb.CentreColumn - ca.CentreColumn - 7, 9), 6);
        }
    }

    [Fact]
    public void FullLattice()
    {
        var lattice = new Lattice(6, 4);
        var frame = Enumerable.Repeat(Orientation.Right, lattice.Sites).ToArray();
        var l = new ClusterLabeller(lattice);
        l.Compute(frame, properties: true);
        Assert.Equal(1, l.ClusterCount);
        Assert.Equal(24, l.Sizes[0]);
        Assert.Equal(24, l.Statistics.MeanSize);
        Assert.Equal(24, l.Statistics.WeightedMeanSize);
        Assert.Equal(1, l.Statistics.LargestFraction);
        Assert.Equal(1, l.Statistics.Polarisation, 12);
        Assert.Equal(1, l.Clusters[0].PolarisationX, 12);
        Assert.All(l.Labels.ToArray(), v => Assert.Equal(1, v));
    }

    [Fact]
    public void EmptyLattice()
    {
        var lattice = new Lattice(5, 3);
        var l = new ClusterLabeller(lattice);
        l.Compute(new byte[lattice.Sites], properties: true);
        Assert.Equal(0, l.ClusterCount);
        Assert.Equal(0, l.Statistics.Particles);
        Assert.True(double.IsNaN(l.Statistics.MeanSize));
        Assert.True(double.IsNaN(l.Statistics.WeightedMeanSize));
        Assert.True(l.Clusters.IsEmpty);
        Assert.All(l.Labels.ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void CheckerboardIsAllSingletons()
    {
        var lattice = new Lattice(6, 8);
        var frame = new byte[lattice.Sites];
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 8; c++)
                if ((r + c) % 2 == 0) frame[r * 8 + c] = Orientation.Down;
        var l = new ClusterLabeller(lattice);
        l.Compute(frame, properties: true);
        Assert.Equal(24, l.ClusterCount);
        Assert.All(l.Sizes.ToArray(), s => Assert.Equal(1, s));
        Assert.Equal(1, l.Statistics.WeightedMeanSize);
        Assert.Equal(1 / 24.0, l.Statistics.LargestFraction, 12);
        Assert.All(l.Clusters.ToArray(), c => Assert.Equal(0, c.RadiusOfGyration));
        Assert.Equal(-1, l.Statistics.PolarisationY, 12);
    }

    [Fact]
    public void OddCheckerboardJoinsAcrossTheOddEdges()
    {
        // 3 x 5: the wrap pairs (r, 0)-(r, 4) and (0, c)-(2, c) have equal parity, so they join.
        var lattice = new Lattice(3, 5);
        var frame = new byte[lattice.Sites];
        for (int s = 0; s < frame.Length; s++)
            if ((lattice.Row(s) + lattice.Column(s)) % 2 == 0) frame[s] = 1;
        var l = new ClusterLabeller(lattice);
        l.Compute(frame);
        Assert.Equal(Frames.BfsLabels(lattice, frame), l.Labels.ToArray());
        Assert.True(l.ClusterCount < 8);
    }

    [Fact]
    public void NonSquareLatticeWrapsEachAxisByItsOwnLength()
    {
        var l = Label(out _, false,
            "#.......",
            "#.......",
            "........",
            "#......#");
        // Column 0 wraps rows 3 -> 0 (by nx = 4), row 3 wraps columns 7 -> 0 (by ny = 8): one cluster.
        Assert.Equal(1, l.ClusterCount);
        Assert.Equal(4, l.Sizes[0]);
        var l2 = Label(out _, false,
            "#..",
            "...",
            "...",
            "...",
            "...",
            "..#");
        Assert.Equal(2, l2.ClusterCount);
    }

    [Fact]
    public void PolarisationOfClustersAndFrame()
    {
        var l = Label(out _, true,
            ">>>....",
            ".......",
            "..^v...",
            ".......");
        Assert.Equal(2, l.ClusterCount);
        var line = l.Clusters[0];
        Assert.Equal(3, line.Size);
        Assert.Equal(1, line.PolarisationX, 12);
        Assert.Equal(0, line.PolarisationY, 12);
        Assert.Equal(1, line.Polarisation, 12);
        Assert.Equal(1, line.CentreColumn, 9);
        Assert.Equal(Math.Sqrt(2 / 3.0), line.RadiusOfGyration, 9);
        var pair = l.Clusters[1];
        Assert.Equal(0, pair.Polarisation, 12);
        Assert.Equal(0.6, l.Statistics.PolarisationX, 12);
        Assert.Equal(0, l.Statistics.PolarisationY, 12);
        Assert.Equal(0.6, l.Statistics.Polarisation, 12);
        Assert.Equal(0.6, l.Statistics.Get(FrameStatistic.Polarisation), 12);
    }

    [Fact]
    public void ClustersRequireTheirComputation()
    {
        var l = Label(out _, false, "#.", "..");
        Assert.Throws<InvalidOperationException>(() => l.Clusters.Length);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 7)]
    [InlineData(7, 3)]
    [InlineData(16, 16)]
    [InlineData(31, 17)]
    [InlineData(5, 64)]
    public void MatchesBreadthFirstSearchOnRandomFrames(int nx, int ny)
    {
        var lattice = new Lattice(nx, ny);
        var rng = new Random(nx * 1000 + ny);
        var labeller = new ClusterLabeller(lattice); // reused: no state may leak between frames
        foreach (double density in new[] { 0.05, 0.15, 0.3, 0.45, 0.55, 0.6, 0.75, 0.95 })
        {
            for (int rep = 0; rep < 6; rep++)
            {
                var frame = Frames.Random(lattice, density, rng);
                labeller.Compute(frame, properties: rep % 2 == 0);
                var expected = Frames.BfsLabels(lattice, frame);
                Assert.Equal(expected, labeller.Labels.ToArray());
                int particles = frame.Count(v => v != 0);
                Assert.Equal(particles, labeller.Statistics.Particles);
                Assert.Equal(particles, labeller.Sizes.ToArray().Sum());
                Assert.Equal(expected.Max(), labeller.ClusterCount);
                for (int k = 1; k <= labeller.ClusterCount; k++)
                    Assert.Equal(expected.Count(v => v == k), labeller.Sizes[k - 1]);
            }
        }
    }

    [Fact]
    public void RolledFramesHaveTheSameClusterSizes()
    {
        var lattice = new Lattice(20, 13);
        var rng = new Random(42);
        var labeller = new ClusterLabeller(lattice);
        for (int rep = 0; rep < 5; rep++)
        {
            var frame = Frames.Random(lattice, 0.5, rng);
            labeller.Compute(frame);
            var sizes = SortedSizes(labeller);
            foreach (var (dr, dc) in new[] { (1, 0), (0, 1), (7, 11), (19, 12) })
            {
                labeller.Compute(Frames.Roll(lattice, frame, dr, dc));
                Assert.Equal(sizes, SortedSizes(labeller));
            }
        }
    }

    [Fact]
    public void WrongFrameLengthIsRejected()
    {
        var l = new ClusterLabeller(new Lattice(4, 4));
        Assert.Throws<ArgumentException>(() => l.Compute(new byte[15]));
    }
}
