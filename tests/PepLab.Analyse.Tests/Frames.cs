using PepLab.Core;

namespace PepLab.Analyse.Tests;

/// <summary>Random and rolled frames, and the BFS oracle (hand-drawn frames: <see cref="PepLab.Tests.FrameSketch"/>).</summary>
internal static class Frames
{
    
    public static byte[] Random(Lattice lattice, double density, Random rng)
    {
        var frame = new byte[lattice.Sites];
        for (int s = 0; s < frame.Length; s++)
            if (rng.NextDouble() < density) frame[s] = (byte)rng.Next(1, 5);
        return frame;
    }

    /// <summary>numpy.roll of the frame by (dr, dc).</summary>
    public static byte[] Roll(Lattice lattice, byte[] frame, int dr, int dc)
    {
        var rolled = new byte[frame.Length];
        for (int r = 0; r < lattice.Nx; r++)
            for (int c = 0; c < lattice.Ny; c++)
                rolled[lattice.Index(r + dr, c + dc)] = frame[r * lattice.Ny + c];
        return rolled;
    }

    /// <summary>
    /// The oracle: breadth-first search over the 4 periodic neighbours (via <see cref="Lattice.Neighbour"/>),
    /// clusters numbered 1, 2, ... in order of their first site in row-major order.
    /// </summary>
    public static int[] BfsLabels(Lattice lattice, byte[] frame)
    {
        var labels = new int[frame.Length];
        int next = 0;
        var queue = new Queue<int>();
        for (int s = 0; s < frame.Length; s++)
        {
            if (frame[s] == 0 || labels[s] != 0) continue;
            labels[s] = ++next;
            queue.Enqueue(s);
            while (queue.Count > 0)
            {
                int x = queue.Dequeue();
                for (int d = 0; d < 4; d++)
                {
                    int y = lattice.Neighbour(x, d);
                    if (frame[y] != 0 && labels[y] == 0)
                    {
                        labels[y] = next;
                        queue.Enqueue(y);
                    }
                }
            }
        }
        return labels;
    }
}
