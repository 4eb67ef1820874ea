using PepLab.Core;

namespace PepLab.Simulate;

/// <summary>The start of a run, shared by every simulation stream: a random placement, or a given frame.</summary>
internal static class StartConfiguration
{
    /// <summary>
    /// N = int(density * nx * ny) particles on distinct uniform sites with uniform orientations,
    /// drawn from <paramref name="rng"/>: writes their codes (1..4) into <paramref name="frame"/>
    /// (all zero on entry) and returns their sites in placement order.
    /// </summary>
    public static int[] Random(Lattice lattice, double density, ref Xoshiro256StarStar rng, Span<byte> frame)
    {
        int n = RunParameters.ParticleCount(density, lattice.Nx, lattice.Ny);
        if (n < 1 || n > lattice.Sites)
            throw new PepLabInputException("density", $"gives {n} particles on {lattice.Sites} sites");
        // Partial Fisher-Yates over all sites: the first n entries are a uniform n-subset in uniform order.
        var all = new int[lattice.Sites];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        for (int i = 0; i < n; i++)
        {
            int j = i + (int)rng.NextBounded((uint)(all.Length - i));
            (all[i], all[j]) = (all[j], all[i]);
        }
        var sites = all.AsSpan(0, n).ToArray();
        foreach (var s in sites)
            frame[s] = (byte)(1 + rng.NextBounded(4));
        return sites;
    }

    /// <summary>The sites of the particles of <paramref name="frame"/> (codes 1..4), validated against the lattice.</summary>
    public static int[] FromFrame(Lattice lattice, ReadOnlySpan<byte> frame)
    {
        if (frame.Length != lattice.Sites)
            throw new PepLabInputException("initial frame", $"has {frame.Length} sites, the lattice {lattice.Sites}");
        if (!Orientation.IsValidFrame(frame))
            throw new PepLabInputException("initial frame", "holds values outside 0..4");
        var list = new List<int>();
        for (int s = 0; s < frame.Length; s++)
        {
            if (frame[s] != Orientation.Empty) list.Add(s);
        }
        if (list.Count == 0) throw new PepLabInputException("initial frame", "holds no particle");
        return list.ToArray();
    }

    /// <summary>Checks P_t: in [0, 1].</summary>
    public static void ValidateTumble(double tumble)
    {
        if (!(tumble >= 0 && tumble <= 1))
            throw new PepLabInputException("tumble", $"must be in [0, 1] (got {tumble})");
    }

    /// <summary>P_t as an integer threshold for 30 random bits: round(P_t * 2^30), so P_t is resolved to 2^-30.</summary>
    public static uint TumbleThreshold(double tumble) => (uint)Math.Round(tumble * (1 << 30));
}
