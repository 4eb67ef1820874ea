using System.Security.Cryptography;
using System.Text;

namespace PepLab.Core;

/// <summary>Seeds: fresh ones for runs without <c>--seed</c>, derived ones for sweeps.</summary>
public static class Seeds
{
    /// <summary>A fresh random seed below 2^53, so it survives any JSON, CSV or float round-trip.</summary>
    public static ulong Fresh()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes) & ((1UL << 53) - 1);
    }

    /// <summary>
    /// A seed derived deterministically from a base seed and a run's identifying text (its
    /// parameters): the same inputs give the same seed on every machine, so one run of a sweep can
    /// be regenerated alone. Kept below 2^53 like <see cref="Fresh"/>.
    /// </summary>
    public static ulong Derive(ulong baseSeed, string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{baseSeed}|{key}"), hash);
        return BitConverter.ToUInt64(hash) & ((1UL << 53) - 1);
    }
}
