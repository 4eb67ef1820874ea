using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PepLab.Core;

/// <summary>The vector width a kernel uses. Every width gives bit-identical results; only the speed differs.</summary>
public enum SimdWidth
{
    /// <summary>Plain scalar code (any CPU).</summary>
    Scalar = 0,
    /// <summary>256-bit vectors (x86 with AVX2).</summary>
    Vector256 = 256,
    /// <summary>512-bit vectors (x86 with AVX-512 F and BW).</summary>
    Vector512 = 512,
}

/// <summary>Which vector widths this CPU runs, and the one kernels use by default.</summary>
public static class SimdSupport
{
    /// <summary>Name of the environment variable that caps the default width: <c>512</c>, <c>256</c> or <c>scalar</c>.</summary>
    public const string EnvironmentVariable = "PEPLAB_SIMD";

    /// <summary>The widest path this CPU supports.</summary>
    public static SimdWidth Best { get; } =
        Avx512BW.IsSupported && Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Avx2.IsSupported ? SimdWidth.Vector256
        : SimdWidth.Scalar;

    /// <summary>
    /// The width kernels use unless told otherwise: <see cref="Best"/>, capped by
    /// <c>PEPLAB_SIMD</c> (read once, at first use) so a run can be checked on a narrower path.
    /// </summary>
    public static SimdWidth Default { get; } = Clamp(Environment.GetEnvironmentVariable(EnvironmentVariable) switch
    {
        "512" => SimdWidth.Vector512,
        "256" => SimdWidth.Vector256,
        "scalar" or "0" => SimdWidth.Scalar,
        _ => SimdWidth.Vector512,
    });

    /// <summary><paramref name="width"/> if this CPU runs it, else the widest narrower path it runs.</summary>
    public static SimdWidth Clamp(SimdWidth width) => (SimdWidth)Math.Min((int)width, (int)Best);
}

/// <summary>
/// Simulation streams: what a seed gives. A trajectory file's <c>generator</c> attribute names the
/// stream that wrote it; a new stream gets a new name, and the old kernels stay available so old
/// files can be reproduced from their seed.
/// </summary>
public static class SimulationStream
{
    /// <summary>
    /// Stream 1 (PepLab 0.1 before the vectorised kernel): one xoshiro256** generator; each update
    /// draws its shuffle index and its tumble from one 64-bit output. Files say <c>xoshiro256**</c>.
    /// </summary>
    public const string Version1 = Xoshiro256StarStar.Name;

    /// <summary>
    /// Stream 2: the start as in stream 1, then eight xoshiro256** lanes (<see cref="Xoshiro256StarStarX8"/>)
    /// give each sweep's shuffle indices in one batch and then its tumbles in a second batch.
    /// </summary>
    public const string Version2 = "xoshiro256**x8 stream 2";

    /// <summary>The stream new runs use.</summary>
    public const string Current = Version2;

    /// <summary>
    /// The stream number a file's <c>generator</c> attribute names: 1 for <see cref="Version1"/>
    /// (and for files without the attribute, which predate it), 2 for <see cref="Version2"/>,
    /// null for a name PepLab does not know.
    /// </summary>
    public static int? VersionOf(string? generator) => generator switch
    {
        null or Version1 => 1,
        Version2 => 2,
        _ => null,
    };
}

/// <summary>
/// Eight xoshiro256** generators ("lanes") stepped together, so one 512-bit vector (or two 256-bit
/// ones) makes 64 random bytes per step. Lane k starts k + 1 jumps of 2^128 steps after the parent
/// generator it is built from (<see cref="Xoshiro256StarStar.Jump"/>), so the lanes and the parent
/// never overlap. The output is a sequence of 64-byte blocks; block b holds, in lane order, each
/// lane's b-th 64-bit output (little-endian). The stream depends on the seed alone: every
/// <see cref="SimdWidth"/> gives the same bytes.
/// </summary>
public sealed class Xoshiro256StarStarX8
{
    /// <summary>Lanes, and 64-bit words per block.</summary>
    public const int Lanes = 8;

    // State word w of lane k at [w * Lanes + k]: each state word of all lanes is one 512-bit vector.
    private readonly ulong[] _state = new ulong[4 * Lanes];

    /// <summary>Lanes jumped off <paramref name="parent"/> (which is not changed).</summary>
    public Xoshiro256StarStarX8(Xoshiro256StarStar parent)
    {
        var g = parent;
        for (int k = 0; k < Lanes; k++)
        {
            g.Jump();
            g.GetState(out ulong s0, out ulong s1, out ulong s2, out ulong s3);
            _state[k] = s0;
            _state[Lanes + k] = s1;
            _state[2 * Lanes + k] = s2;
            _state[3 * Lanes + k] = s3;
        }
    }

    /// <summary>
    /// Writes the next <c>destination.Length / 8</c> blocks into <paramref name="destination"/>
    /// (its length a multiple of <see cref="Lanes"/>) with the given vector width.
    /// </summary>
    public void Fill(Span<ulong> destination, SimdWidth width)
    {
        if (destination.Length % Lanes != 0)
            throw new ArgumentException($"length {destination.Length} is not a multiple of {Lanes}", nameof(destination));
        switch (SimdSupport.Clamp(width))
        {
            case SimdWidth.Vector512: Fill512(destination); break;
            case SimdWidth.Vector256: Fill256(destination); break;
            default: FillScalar(destination); break;
        }
    }

    private void FillScalar(Span<ulong> destination)
    {
        // Lane by lane, so each lane's state stays in registers for the whole batch.
        Span<ulong> s = _state;
        for (int k = 0; k < Lanes; k++)
        {
            ulong s0 = s[k], s1 = s[Lanes + k], s2 = s[2 * Lanes + k], s3 = s[3 * Lanes + k];
            for (int b = k; b < destination.Length; b += Lanes)
                destination[b] = Xoshiro256StarStar.Step(ref s0, ref s1, ref s2, ref s3);
            s[k] = s0; s[Lanes + k] = s1; s[2 * Lanes + k] = s2; s[3 * Lanes + k] = s3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill256(Span<ulong> destination)
    {
        // Two registers per state word: lanes 0..3 (a) and 4..7 (b).
        Span<ulong> s = _state;
        var s0a = Vector256.Create<ulong>(s[0..4]); var s0b = Vector256.Create<ulong>(s[4..8]);
        var s1a = Vector256.Create<ulong>(s[8..12]); var s1b = Vector256.Create<ulong>(s[12..16]);
        var s2a = Vector256.Create<ulong>(s[16..20]); var s2b = Vector256.Create<ulong>(s[20..24]);
        var s3a = Vector256.Create<ulong>(s[24..28]); var s3b = Vector256.Create<ulong>(s[28..32]);
        for (int b = 0; b < destination.Length; b += Lanes)
        {
            Step256(ref s0a, ref s1a, ref s2a, ref s3a).CopyTo(destination[b..]);
            Step256(ref s0b, ref s1b, ref s2b, ref s3b).CopyTo(destination[(b + 4)..]);
        }
        s0a.CopyTo(s[0..]); s0b.CopyTo(s[4..]);
        s1a.CopyTo(s[8..]); s1b.CopyTo(s[12..]);
        s2a.CopyTo(s[16..]); s2b.CopyTo(s[20..]);
        s3a.CopyTo(s[24..]); s3b.CopyTo(s[28..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill512(Span<ulong> destination)
    {
        Span<ulong> s = _state;
        var s0 = Vector512.Create<ulong>(s[0..8]);
        var s1 = Vector512.Create<ulong>(s[8..16]);
        var s2 = Vector512.Create<ulong>(s[16..24]);
        var s3 = Vector512.Create<ulong>(s[24..32]);
        for (int b = 0; b < destination.Length; b += Lanes)
        {
            // The scalar step, lane-wise: x * 5 and x * 9 as shift-and-add, rotations in one instruction.
            var result = Avx512F.RotateLeft((s1 << 2) + s1, 7);
            result = (result << 3) + result;
            var t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = Avx512F.RotateLeft(s3, 45);
            result.CopyTo(destination[b..]);
        }
        s0.CopyTo(s[0..]);
        s1.CopyTo(s[8..]);
        s2.CopyTo(s[16..]);
        s3.CopyTo(s[24..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Step256(ref Vector256<ulong> s0, ref Vector256<ulong> s1, ref Vector256<ulong> s2, ref Vector256<ulong> s3)
    {
        var x = (s1 << 2) + s1;
        var result = (x << 7) | (x >> 57);
        result = (result << 3) + result;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 45) | (s3 >> 19);
        return result;
    }
}
