namespace PepLab.Tests;

/// <summary>
/// A deliberately simple breadth-first cluster finder (4-neighbour, periodic in both directions),
/// used as an independent oracle in tests.
/// </summary>
public static class ClusterOracle
{
    public static List<int> Sizes(ReadOnlySpan<byte> frame, int nx, int ny)
    {
        var seen = new bool[frame.Length];
        var sizes = new List<int>();
        var queue = new Queue<int>();
        for (int s = 0; s < frame.Length; s++)
        {
            if (frame[s] == 0 || seen[s]) continue;
            int size = 0;
            seen[s] = true;
            queue.Enqueue(s);
            while (queue.Count > 0)
            {
                int u = queue.Dequeue();
                size++;
                int r = u / ny, c = u % ny;
                foreach (var v in new[]
                         {
                             ((r + nx - 1) % nx) * ny + c, ((r + 1) % nx) * ny + c,
                             r * ny + (c + ny - 1) % ny, r * ny + (c + 1) % ny,
                         })
                {
                    if (frame[v] != 0 && !seen[v])
                    {
                        seen[v] = true;
                        queue.Enqueue(v);
                    }
                }
            }
            sizes.Add(size);
        }
        return sizes;
    }

    public static double WeightedMean(IReadOnlyCollection<int> sizes) =>
        sizes.Sum(s => (double)s * s) / sizes.Sum(s => (double)s);
}
