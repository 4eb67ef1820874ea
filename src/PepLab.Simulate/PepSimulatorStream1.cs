using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PepLab.Core;

namespace PepLab.Simulate;

/// <summary>
/// The persistent exclusion process with simulation stream 1 (<see cref="SimulationStream.Version1"/>):
/// the kernel PepLab used before <see cref="PepSimulator"/>, kept so that files whose
/// <c>generator</c> attribute is <c>xoshiro256**</c> can be reproduced from their seed, and as the
/// independent implementation the current kernel's statistics are tested against. Same law, same
/// start for a seed; the random numbers after the start are used differently.
/// The model exactly as REFERENCE.md states it.
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
public sealed class PepSimulatorStream1
{
    private readonly byte[] _sites;
    private readonly int[] _positions;
    private readonly int[] _neighbours;
    private readonly uint _tumbleThreshold;
    private Xoshiro256StarStar _rng;

    /// <summary>A random start: N = int(density * nx * ny) particles on distinct uniform sites, uniform orientations.</summary>
    public PepSimulatorStream1(Lattice lattice, double density, double tumble, ulong seed)
        : this(lattice, tumble, seed)
    {
        var sites = StartConfiguration.Random(lattice, density, ref _rng, _sites);
        _positions = Pinned<int>(sites.Length);
        sites.CopyTo(_positions, 0);
    }

    /// <summary>Continues from a snapshot: every non-zero site of <paramref name="frame"/> (codes 1..4) is a particle.</summary>
    public PepSimulatorStream1(Lattice lattice, ReadOnlySpan<byte> frame, double tumble, ulong seed)
        : this(lattice, tumble, seed)
    {
        var sites = StartConfiguration.FromFrame(lattice, frame);
        frame.CopyTo(_sites);
        _positions = Pinned<int>(sites.Length);
        sites.CopyTo(_positions, 0);
    }

    private PepSimulatorStream1(Lattice lattice, double tumble, ulong seed)
    {
        StartConfiguration.ValidateTumble(tumble);
        Lattice = lattice;
        Tumble = tumble;
        _sites = Pinned<byte>(lattice.Sites);
        var table = lattice.NeighbourTable();
        _neighbours = Pinned<int>(table.Length);
        table.CopyTo(_neighbours, 0);
        _tumbleThreshold = StartConfiguration.TumbleThreshold(tumble);
        _rng = new Xoshiro256StarStar(seed);
        _positions = [];
    }

    private static T[] Pinned<T>(int length) where T : unmanaged => GC.AllocateArray<T>(length, pinned: true);

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
        // Generator state in locals so the JIT keeps it in registers for the whole sweep.
        _rng.GetState(out ulong s0, out ulong s1, out ulong s2, out ulong s3);
        // The arrays live on the pinned object heap, so raw pointers need no 'fixed' (which costs registers).
        byte* lat = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_sites));
        int* pos = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_positions));
        int* nbr = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_neighbours)) - 1;
        {
            // 'range' is the number of particles not yet visited; the one visited now lands at range - 1.
            for (ulong range = (ulong)_positions.Length; range != 0; range--)
            {
                ulong r = Xoshiro256StarStar.Step(ref s0, ref s1, ref s2, ref s3);
                // Fisher-Yates step by Lemire's multiply-shift: pick uniformly among 0..range-1.
                ulong m = (r >> 32) * range;
                if ((uint)m < (uint)range)
                {
                    uint reject = unchecked(0u - (uint)range) % (uint)range;
                    while ((uint)m < reject)
                        m = (Xoshiro256StarStar.Step(ref s0, ref s1, ref s2, ref s3) >> 32) * range;
                }
                int* last = pos + range - 1;
                int* picked = pos + (m >> 32);
                int site = *picked;
                *picked = *last;

                // Move if the site ahead is empty, branch-free: masks are all ones or zero.
                int code = lat[site];
                int ahead = nbr[(site << 2) + code];          // nbr is offset by one: codes are 1..4
                int free = (lat[ahead] - 1) >> 31;                 // -1 when the site ahead is empty
                int target = site + ((ahead - site) & free);
                lat[site] = (byte)(code & ~free);                  // cleared when the particle leaves
                // Tumble: bits 2..31 against round(P_t 2^30) (both < 2^31, so the sign of the
                // difference is the comparison); the new direction comes from bits 0..1.
                uint low = (uint)r;
                int tumble = (int)((low >> 2) - threshold) >> 31;   // -1 when tumbling
                int newCode = code + ((((int)(low & 3) + 1) - code) & tumble);
                lat[target] = (byte)newCode;
                *last = target;
            }
        }
        _rng.SetState(s0, s1, s2, s3);
        SweepsDone++;
    }
}
