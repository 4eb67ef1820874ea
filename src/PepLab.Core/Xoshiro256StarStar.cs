using System.Runtime.CompilerServices;

namespace PepLab.Core;

/// <summary>
/// The xoshiro256** generator of Blackman and Vigna (2018): 256 bits of state, period 2^256 - 1,
/// seeded from one 64-bit seed through SplitMix64 as its authors recommend. The stream depends on
/// the seed alone, so a run is bit-identical on any machine and with any number of threads.
/// </summary>
public struct Xoshiro256StarStar
{
    /// <summary>The generator's name (also what files of simulation stream 1 record: see <see cref="SimulationStream"/>).</summary>
    public const string Name = "xoshiro256**";

    private ulong _s0, _s1, _s2, _s3;

    /// <summary>The raw state, for hand-inlined kernels that keep it in registers (see <see cref="Step"/>).</summary>
    public void GetState(out ulong s0, out ulong s1, out ulong s2, out ulong s3)
    {
        s0 = _s0; s1 = _s1; s2 = _s2; s3 = _s3;
    }

    /// <summary>Stores the raw state back after a hand-inlined kernel.</summary>
    public void SetState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    /// <summary>
    /// One xoshiro256** step on state held in locals: returns the output and advances the state.
    /// <see cref="NextUInt64"/> is this step on the generator's own state; a kernel calls it on locals to keep the state in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = BitRotate(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitRotate(s3, 45);
        return result;
    }

    /// <summary>Seeds the state from <paramref name="seed"/> with four SplitMix64 outputs.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// Advances the state by 2^128 steps (the authors' jump polynomial): generators that start
    /// one jump apart give 2^128 outputs each before either reaches the other's first output, so
    /// they serve as non-overlapping parallel streams.
    /// </summary>
    public void Jump()
    {
        ReadOnlySpan<ulong> polynomial = [0x180EC6D33CFD0ABAUL, 0xD5A61266F0C9392CUL, 0xA9582618E03FC9AAUL, 0x39ABDC4529B1661CUL];
        ulong j0 = 0, j1 = 0, j2 = 0, j3 = 0;
        foreach (ulong word in polynomial)
        {
            for (int bit = 0; bit < 64; bit++)
            {
                if ((word & (1UL << bit)) != 0)
                {
                    j0 ^= _s0; j1 ^= _s1; j2 ^= _s2; j3 ^= _s3;
                }
                NextUInt64();
            }
        }
        _s0 = j0; _s1 = j1; _s2 = j2; _s3 = j3;
    }

    /// <summary>One step of SplitMix64 (Steele, Lea and Flood 2014).</summary>
    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>The next 32 random bits (the upper half of a 64-bit output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>An unbiased integer in [0, <paramref name="range"/>) by Lemire's multiply-shift with rejection.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextBounded(uint range) => Bounded(NextUInt32(), range, ref this);

    /// <summary>
    /// Lemire's nearly divisionless bounded draw (ACM TOMACS 2019) from a first 32-bit value
    /// <paramref name="x"/>; draws more from <paramref name="rng"/> only in the rare rejection case.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bounded(uint x, uint range, ref Xoshiro256StarStar rng)
    {
        ulong m = (ulong)x * range;
        uint low = (uint)m;
        if (low < range)
        {
            uint threshold = unchecked(0u - range) % range;
            while (low < threshold)
            {
                m = (ulong)rng.NextUInt32() * range;
                low = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }

    /// <summary>A double uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));
}
