using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PepLab.Core;

namespace PepLab.Simulate;

/// <summary>
/// The persistent exclusion process on a periodic lattice, exactly as REFERENCE.md states it.
/// One <see cref="Sweep"/> visits all N particles in a fresh, uniformly random order; each particle
/// (1) moves to the neighbouring site it points at if that site is empty, then (2) with probability
/// P_t draws a new orientation uniformly from all four. Random numbers come from simulation stream 2
/// (<see cref="SimulationStream.Version2"/>); <see cref="PepSimulatorStream1"/> reproduces stream 1.
/// </summary>
/// <remarks>
/// Performance notes (this is PepLab's hot loop; an update is bound by its stores, about four):
/// <list type="bullet">
/// <item>A particle is one int, site * 4 + orientation (0..3), so an update reads one word, and the
/// neighbour table, laid out as [site * 4 + orientation], is indexed by that word directly. The lattice
/// holds only occupancy (one byte per site); <see cref="Frame"/> builds the orientation codes on demand.</item>
/// <item>The random order is an unbiased Fisher-Yates shuffle fused with the update: walking the
/// particle array from the end, each step swaps a uniformly drawn remaining particle into place and
/// updates it at once, so the visiting order is a uniform random permutation. The shuffle's bounded
/// indices do not depend on the state, so all of a sweep's indices are drawn before it, in one batch:
/// eight xoshiro256** lanes (<see cref="Xoshiro256StarStarX8"/>) fill a buffer with vector
/// instructions, and Lemire's multiply-shift maps each 16-bit value x to floor(x * range / 2^16) with
/// one vector multiply (high and low halves) for 32 (or 16) draws at once. A draw whose low half is
/// below the range is checked against Lemire's exact threshold and, if rejected, redrawn from a
/// separate scalar generator, so every index is exactly uniform. Ranges above 65535 (lattices with
/// more particles) use 32-bit draws the same way, one at a time.</item>
/// <item>Tumbles are applied after the sweep, in one vector pass over the particle array. This is
/// exact in law: a particle's orientation is read only at its own visit, the move test reads only
/// occupancy, and each particle is visited once per sweep, so tumbling at the visit or at the end
/// of the sweep gives the same joint distribution. The tumble test compares bits 2..31 of a 32-bit
/// draw with round(P_t * 2^30) (P_t resolved to 2^-30); bits 0..1, independent of the test, give
/// the new orientation.</item>
/// <item>The move is branch-free: the byte ahead (0 or 1) is stored at the particle's own site
/// (cleared only when it leaves), the site ahead is set, and the new word is a masked add.</item>
/// <item>Every <see cref="SimdWidth"/> gives the same frames: the draws are defined on the lanes'
/// byte stream and rejections are handled in draw order, whatever the vector width.</item>
/// </list>
/// </remarks>
public sealed class PepSimulator
{
    /// <summary>Ranges up to this use 16-bit draws.</summary>
    private const int MaxRange16 = ushort.MaxValue;

    private readonly byte[] _occupied;
    private readonly int[] _particles;
    private readonly int[] _neighbours;
    private readonly int[] _index32;
    private readonly ulong[] _bits;
    private readonly byte[] _frame;
    private readonly int[] _sites;
    private readonly uint _tumbleThreshold;
    private readonly int _count32;
    private readonly int _count16;
    private readonly Xoshiro256StarStarX8 _lanes;
    private Xoshiro256StarStar _spare;
    private bool _viewsCurrent;

    /// <summary>A random start: N = int(density * nx * ny) particles on distinct uniform sites, uniform orientations.</summary>
    public PepSimulator(Lattice lattice, double density, double tumble, ulong seed)
        : this(lattice, tumble, seed, StartFromDensity(lattice, density, seed))
    {
    }

    /// <summary>Continues from a snapshot: every non-zero site of <paramref name="frame"/> (codes 1..4) is a particle.</summary>
    public PepSimulator(Lattice lattice, ReadOnlySpan<byte> frame, double tumble, ulong seed)
        : this(lattice, tumble, seed, (StartConfiguration.FromFrame(lattice, frame), frame.ToArray(), new Xoshiro256StarStar(seed)))
    {
    }

    private PepSimulator(Lattice lattice, double tumble, ulong seed, (int[] Sites, byte[] Frame, Xoshiro256StarStar Rng) start)
    {
        StartConfiguration.ValidateTumble(tumble);
        Lattice = lattice;
        Tumble = tumble;
        Seed = seed;
        _tumbleThreshold = StartConfiguration.TumbleThreshold(tumble);
        int n = start.Sites.Length;
        Particles = n;

        // After the start the generator becomes the spare stream for rejections; the lanes jump off it.
        _spare = start.Rng;
        _lanes = new Xoshiro256StarStarX8(_spare);

        _occupied = Pinned<byte>(lattice.Sites);
        var table = lattice.NeighbourTable();
        _neighbours = Pinned<int>(table.Length);
        table.CopyTo(_neighbours, 0);
        // Padded to a whole number of 16-int vectors for the tumble pass; the pad is never read.
        _particles = Pinned<int>(RoundUp(n, 16));
        for (int i = 0; i < n; i++)
        {
            int s = start.Sites[i];
            _particles[i] = s * 4 + start.Frame[s] - 1;
            _occupied[s] = 1;
        }

        // Draws per sweep: ranges n, n-1, ..., 2; those above 65535 take 32 bits, the rest 16.
        _count32 = Math.Max(0, n - MaxRange16);
        _count16 = Math.Max(0, n - 1 - _count32);
        _index32 = Pinned<int>(_count32);
        int words = Math.Max(Math.Max(Words(_count16, 32), Words(_count32, 16)), Words(n, 16));
        _bits = Pinned<ulong>(words);
        _frame = new byte[lattice.Sites];
        _sites = new int[n];
    }

    private static (int[], byte[], Xoshiro256StarStar) StartFromDensity(Lattice lattice, double density, ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        var frame = new byte[lattice.Sites];
        var sites = StartConfiguration.Random(lattice, density, ref rng, frame);
        return (sites, frame, rng);
    }

    private static T[] Pinned<T>(int length) where T : unmanaged => GC.AllocateArray<T>(length, pinned: true);

    private static int RoundUp(int n, int multiple) => (n + multiple - 1) / multiple * multiple;

    /// <summary>64-bit words of whole 64-byte blocks holding <paramref name="draws"/> draws, <paramref name="perBlock"/> per block.</summary>
    private static int Words(int draws, int perBlock) => RoundUp(draws, perBlock) / perBlock * Xoshiro256StarStarX8.Lanes;

    /// <summary>The lattice geometry.</summary>
    public Lattice Lattice { get; }

    /// <summary>Tumbling probability P_t.</summary>
    public double Tumble { get; }

    /// <summary>The seed of the run.</summary>
    public ulong Seed { get; }

    /// <summary>Number of particles.</summary>
    public int Particles { get; }

    /// <summary>Sweeps done so far.</summary>
    public long SweepsDone { get; private set; }

    /// <summary>
    /// The vector width of the random batches (default <see cref="SimdSupport.Default"/>; a width
    /// this CPU lacks falls back to a narrower one). Changes the speed only, never the frames.
    /// </summary>
    public SimdWidth Simd { get; set; } = SimdSupport.Default;

    /// <summary>The current state as a frame: one byte per site, 0 empty, 1..4 the orientation code.</summary>
    public ReadOnlySpan<byte> Frame
    {
        get
        {
            UpdateViews();
            return _frame;
        }
    }

    /// <summary>Sites of the particles (in the order of the last sweep).</summary>
    public ReadOnlySpan<int> Positions
    {
        get
        {
            UpdateViews();
            return _sites;
        }
    }

    /// <summary>Copies the current state into <paramref name="destination"/> (length nx * ny).</summary>
    public void CopyFrame(Span<byte> destination) => Frame.CopyTo(destination);

    private void UpdateViews()
    {
        if (_viewsCurrent) return;
        Array.Clear(_frame);
        for (int i = 0; i < Particles; i++)
        {
            int p = _particles[i];
            _sites[i] = p >> 2;
            _frame[p >> 2] = (byte)((p & 3) + 1);
        }
        _viewsCurrent = true;
    }

    /// <summary>One iteration: <paramref name="speed"/> sweeps.</summary>
    public void Iterate(int speed)
    {
        for (int i = 0; i < speed; i++) Sweep();
    }

    /// <summary>One sweep: every particle once, in a fresh uniformly random order, then the sweep's tumbles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Sweep()
    {
        var width = SimdSupport.Clamp(Simd);
        // The arrays live on the pinned object heap, so raw pointers need no 'fixed' (which costs registers).
        byte* lat = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_occupied));
        int* pos = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_particles));
        int* nbr = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_neighbours));
        ushort* idx16 = (ushort*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bits));
        int* idx32 = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_index32));

        // 'last' is the slot where the particle visited now lands: the highest slot of those not yet visited.
        int* last = pos + Particles - 1;
        if (_count32 > 0)
        {
            DrawIndices32(width);
            last = Visit(lat, nbr, pos, idx32, idx32 + _count32, last);
        }
        DrawIndices16(width, (int)(last - pos) + 1);
        last = Visit(lat, nbr, pos, idx16, idx16 + _count16, last);
        *last = Move(lat, nbr, *last); // the one particle left (last == pos): range 1 needs no draw
        ApplyTumbles(width);
        SweepsDone++;
        _viewsCurrent = false;
    }

    /// <summary>
    /// Draws one sweep's shuffle indices, as <see cref="Sweep"/> would, into <paramref name="indices"/>
    /// (length at least N - 1): index k is uniform in [0, N - k). For tests of the draws; advances the stream.
    /// </summary>
    internal void DrawShuffleIndices(Span<int> indices)
    {
        var width = SimdSupport.Clamp(Simd);
        if (_count32 > 0)
        {
            DrawIndices32(width);
            _index32.AsSpan(0, _count32).CopyTo(indices);
        }
        DrawIndices16(width, Particles - _count32);
        var draws = MemoryMarshal.Cast<ulong, ushort>(_bits.AsSpan());
        for (int k = 0; k < _count16; k++) indices[_count32 + k] = draws[k];
    }

    /// <summary>
    /// The fused Fisher-Yates walk over one batch of drawn indices: for each index j, the particle at
    /// j is swapped with the one at <paramref name="last"/>, updated, and stored at last, which then
    /// steps down. A static method with everything in parameters, so the JIT keeps it all in
    /// registers (no field reloads or spills: a spilled counter would add a store to every update).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe int* Visit<TIndex>(byte* lat, int* nbr, int* pos, TIndex* index, TIndex* end, int* last)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        for (; index < end; index++, last--)
        {
            int* picked = pos + nint.CreateTruncating(*index);
            int p = *picked;
            *picked = *last;
            *last = Move(lat, nbr, p);
        }
        return last;
    }

    /// <summary>
    /// Moves particle word <paramref name="p"/> if the site ahead is empty; returns its new word.
    /// Branch-free: the byte ahead (1 blocked, 0 free) is written to the particle's site, so the site
    /// is cleared only when it leaves; the site ahead is occupied either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Move(byte* lat, int* nbr, nint p)
    {
        // Native-sized arithmetic throughout, so no index needs a sign extension.
        nint site = p >> 2;
        nint ahead = nbr[p];
        nint blocked = lat[ahead];
        lat[site] = (byte)blocked;
        lat[ahead] = 1;
        return (int)(p + (((ahead - site) << 2) & (blocked - 1)));
    }

    /// <summary>The shuffle indices for ranges above 65535 (lattices with more particles), 32-bit draws, into <c>_index32</c>.</summary>
    private void DrawIndices32(SimdWidth width)
    {
        var words = _bits.AsSpan(0, Words(_count32, 16));
        _lanes.Fill(words, width);
        var draws = MemoryMarshal.Cast<ulong, uint>(words);
        int n = Particles;
        for (int k = 0; k < _count32; k++)
        {
            uint range = (uint)(n - k);
            ulong m = (ulong)draws[k] * range;
            if ((uint)m < range)
            {
                uint threshold = unchecked(0u - range) % range;
                while ((uint)m < threshold) m = (_spare.NextUInt64() >> 32) * range;
            }
            _index32[k] = (int)(m >> 32);
        }
    }

    /// <summary>
    /// The shuffle indices for ranges <paramref name="firstRange"/>, firstRange - 1, ..., 2 (all below
    /// 65536): 16-bit draws by Lemire's method, written over the draws in <c>_bits</c>.
    /// </summary>
    private unsafe void DrawIndices16(SimdWidth width, int firstRange)
    {
        int count = _count16;
        if (count == 0) return;
        _lanes.Fill(_bits.AsSpan(0, Words(count, 32)), width);
        ushort* x = (ushort*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bits));
        if (width == SimdWidth.Vector512)
        {
            // Lane i of vector v holds draw 32v + i, whose range is firstRange - 32v - i. Lanes past
            // 'count' compute garbage into the buffer's tail, which is never read.
            var range = Vector512.Create((ushort)firstRange) - Vector512<ushort>.Indices;
            var step = Vector512.Create((ushort)32);
            for (int k = 0; k < count; k += 32)
            {
                var v = Vector512.Load(x + k);
                var low = v * range;
                Avx512BW.MultiplyHigh(v, range).Store(x + k);
                // Only a low half below the range can fall under Lemire's threshold.
                ulong suspects = Vector512.LessThan(low, range).ExtractMostSignificantBits();
                if (suspects != 0) Recheck16(x, k, suspects, count, firstRange, low);
                range -= step;
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            var range = Vector256.Create((ushort)firstRange) - Vector256<ushort>.Indices;
            var step = Vector256.Create((ushort)16);
            for (int k = 0; k < count; k += 16)
            {
                var v = Vector256.Load(x + k);
                var low = v * range;
                Avx2.MultiplyHigh(v, range).Store(x + k);
                ulong suspects = Vector256.LessThan(low, range).ExtractMostSignificantBits();
                if (suspects != 0) Recheck16(x, k, suspects, count, firstRange, low);
                range -= step;
            }
        }
        else
        {
            for (int k = 0; k < count; k++)
            {
                uint range = (uint)(firstRange - k);
                uint m = (uint)x[k] * range;
                x[k] = (ushort)m < range && Rejects16((ushort)m, range) ? Redraw16(range) : (ushort)(m >> 16);
            }
        }
    }

    /// <summary>Draws k0 + i for the set bits i of <paramref name="suspects"/>, in draw order: Lemire's exact test, redrawn if rejected.</summary>
    private unsafe void Recheck16<TVector>(ushort* x, int k0, ulong suspects, int count, int firstRange, TVector low)
        where TVector : struct
    {
        ref ushort lows = ref Unsafe.As<TVector, ushort>(ref low);
        while (suspects != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(suspects);
            suspects &= suspects - 1;
            int k = k0 + i;
            if (k >= count) return;
            uint range = (uint)(firstRange - k);
            if (Rejects16(Unsafe.Add(ref lows, i), range)) x[k] = Redraw16(range);
        }
    }

    /// <summary>Lemire's exact test for a 16-bit draw: true if the low half of draw * range falls below (2^16 - range) mod range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Rejects16(uint low, uint range) => low < (0x10000u - range) % range;

    /// <summary>After a rejection: 16-bit draws from the spare generator until one is accepted; returns its index.</summary>
    private ushort Redraw16(uint range)
    {
        uint m;
        do m = (uint)(_spare.NextUInt64() >> 48) * range;
        while (Rejects16((ushort)m, range));
        return (ushort)(m >> 16);
    }

    /// <summary>The sweep's tumbles, one 32-bit draw per particle: bits 2..31 decide, bits 0..1 give the new orientation.</summary>
    private unsafe void ApplyTumbles(SimdWidth width)
    {
        int n = Particles;
        _lanes.Fill(_bits.AsSpan(0, Words(n, 16)), width);
        uint* r = (uint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bits));
        int* pos = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_particles));
        uint threshold = _tumbleThreshold;
        if (width == SimdWidth.Vector512)
        {
            // The particle array is padded to whole vectors; the pad's words change but are never read.
            var limit = Vector512.Create(threshold);
            var siteMask = Vector512.Create(~3);
            for (int i = 0; i < n; i += 16)
            {
                var bits = Vector512.Load(r + i);
                var p = Vector512.Load(pos + i);
                var tumbles = Vector512.LessThan(bits >> 2, limit).AsInt32();
                var turned = (p & siteMask) | (bits & Vector512.Create(3u)).AsInt32();
                Vector512.ConditionalSelect(tumbles, turned, p).Store(pos + i);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            var limit = Vector256.Create(threshold);
            var siteMask = Vector256.Create(~3);
            for (int i = 0; i < n; i += 8)
            {
                var bits = Vector256.Load(r + i);
                var p = Vector256.Load(pos + i);
                var tumbles = Vector256.LessThan(bits >> 2, limit).AsInt32();
                var turned = (p & siteMask) | (bits & Vector256.Create(3u)).AsInt32();
                Vector256.ConditionalSelect(tumbles, turned, p).Store(pos + i);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                uint bits = r[i];
                if ((bits >> 2) < threshold) pos[i] = (pos[i] & ~3) | (int)(bits & 3);
            }
        }
    }
}
