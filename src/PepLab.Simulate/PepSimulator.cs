using System.Runtime.CompilerServices;
using PepLab.Core;

namespace PepLab.Simulate;

/// <summary>
/// The persistent exclusion process on a periodic lattice, exactly as REFERENCE.md states it.
/// One <see cref="Sweep"/> visits all N particles in a fresh, uniformly random order; each particle
/// (1) moves to the neighbouring site it points at if that site is empty, then (2) with probability
/// P_t draws a new orientation uniformly from all four.
/// </summary>
/// <remarks>
/// Performance notes (this is PepLab's hot loop):
/// <list type="bullet">
/// <item>The lattice is one byte per site holding the orientation code (0 empty, 1..4), so a frame
/// is a plain copy of the state. Particle sites are kept in one int array.</item>
/// <item>The random order is an unbiased Fisher-Yates shuffle fused with the update: walking the
/// position array from the end, each step swaps a uniformly drawn remaining particle into place and
/// updates it at once. The visiting order is a uniform random permutation, and nothing is allocated.</item>
/// <item>Each update consumes one 64-bit xoshiro256** output: the high 32 bits give the shuffle
/// index by Lemire's multiply-shift (unbiased, rejection is rare), the low 32 bits give the tumble
/// test as an integer comparison of bits 2..31 against round(P_t * 2^30) and the new direction
/// from bits 0..1, which are independent of the test. P_t is thus resolved to 2^-30.</item>
/// <item>The move is branch-free: conditional selects instead of a data-dependent branch.</item>
/// </list>
/// </remarks>
public sealed class PepSimulator
{
    private readonly byte[] _sites;
    private readonly int[] _positions;
    private readonly int[] _neighbours;
    private readonly uint _tumbleThreshold;
    private Xoshiro256StarStar _rng;

    /// <summary>A random start: N = int(density * nx * ny) particles on distinct uniform sites, uniform orientations.</summary>
    public PepSimulator(Lattice lattice, double density, double tumble, ulong seed)
        : this(lattice, tumble, seed)
    {
        int n = RunParameters.ParticleCount(density, lattice.Nx, lattice.Ny);
        if (n < 1 || n > lattice.Sites)
            throw new PepLabInputException("--density", $"gives {n} particles on {lattice.Sites} sites");
        // Partial Fisher-Yates over all sites: the first n entries are a uniform n-subset in uniform order.
        var all = new int[lattice.Sites];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        for (int i = 0; i < n; i++)
        {
            int j = i + (int)_rng.NextBounded((uint)(all.Length - i));
            (all[i], all[j]) = (all[j], all[i]);
        }
        _positions = all[..n];
        foreach (var s in _positions)
            _sites[s] = (byte)(1 + _rng.NextBounded(4));
    }

    /// <summary>Continues from a snapshot: every non-zero site of <paramref name="frame"/> (codes 1..4) is a particle.</summary>
    public PepSimulator(Lattice lattice, ReadOnlySpan<byte> frame, double tumble, ulong seed)
        : this(lattice, tumble, seed)
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
        frame.CopyTo(_sites);
        _positions = list.ToArray();
    }

    private PepSimulator(Lattice lattice, double tumble, ulong seed)
    {
        if (!(tumble >= 0 && tumble <= 1))
            throw new PepLabInputException("--tumble", $"must be in [0, 1] (got {tumble})");
        Lattice = lattice;
        Tumble = tumble;
        _sites = new byte[lattice.Sites];
        _neighbours = lattice.NeighbourTable();
        _tumbleThreshold = (uint)Math.Round(tumble * (1 << 30));
        _rng = new Xoshiro256StarStar(seed);
        _positions = [];
    }

    /// <summary>The lattice geometry.</summary>
    public Lattice Lattice { get; }

    /// <summary>Tumbling probability P_t.</summary>
    public double Tumble { get; }

    /// <summary>Number of particles.</summary>
    public int Particles => _positions.Length;

    /// <summary>Sweeps done so far.</summary>
    public long SweepsDone { get; private set; }

    /// <summary>The current state as a frame: one byte per site, 0 empty, 1..4 the orientation code.</summary>
    public ReadOnlySpan<byte> Frame => _sites;

    /// <summary>Sites of the particles (in the order of the last sweep).</summary>
    public ReadOnlySpan<int> Positions => _positions;

    /// <summary>Copies the current state into <paramref name="destination"/> (length nx * ny).</summary>
    public void CopyFrame(Span<byte> destination) => _sites.CopyTo(destination);

    /// <summary>One iteration: <paramref name="speed"/> sweeps.</summary>
    public void Iterate(int speed)
    {
        for (int i = 0; i < speed; i++) Sweep();
    }

    /// <summary>One sweep: every particle once, in a fresh uniformly random order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Sweep()
    {
        uint threshold = _tumbleThreshold;
        var rng = _rng;
        fixed (byte* lat = _sites)
        fixed (int* pos = _positions)
        fixed (int* nbr = _neighbours)
        {
            for (int i = _positions.Length - 1; i >= 0; i--)
            {
                ulong r = rng.NextUInt64();
                // Fisher-Yates step: pick uniformly among positions 0..i and move it to i.
                uint j = Xoshiro256StarStar.Bounded((uint)(r >> 32), (uint)(i + 1), ref rng);
                int site = pos[j];
                pos[j] = pos[i];

                // Move if the site ahead is empty (branch-free).
                int code = lat[site];
                int ahead = nbr[(site << 2) + code - 1];
                int free = lat[ahead] == 0 ? 1 : 0;
                int target = free != 0 ? ahead : site;
                lat[site] = (byte)(code & (free - 1));   // cleared when the particle leaves
                // Tumble: bits 2..31 against round(P_t 2^30); new direction from bits 0..1.
                uint low = (uint)r;
                int newCode = (low >> 2) < threshold ? (int)(low & 3) + 1 : code;
                lat[target] = (byte)newCode;
                pos[i] = target;
            }
        }
        _rng = rng;
        SweepsDone++;
    }
}
