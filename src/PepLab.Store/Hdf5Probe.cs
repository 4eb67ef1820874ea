using System.Buffers.Binary;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// Cheap checks on a file before an HDF5 library touches it, so that a wrong or damaged file gets
/// a clear one-line error rather than whatever a parser throws halfway through: the HDF5 signature
/// must be there, and the file must be as long as its superblock says (the same end-of-file check
/// the HDF5 C library makes; a copy or download cut short fails it).
/// </summary>
public static class Hdf5Probe
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>True when <paramref name="path"/> starts (or has after a user block) the HDF5 signature.</summary>
    public static bool IsHdf5(string path)
    {
        using var stream = File.OpenRead(path);
        return FindSignature(stream) >= 0;
    }

    /// <summary>
    /// Throws <see cref="PepLabInputException"/> naming <paramref name="path"/> when it is not an
    /// HDF5 file or is shorter than its superblock's end-of-file address.
    /// </summary>
    public static void Check(string path)
    {
        using var stream = File.OpenRead(path);
        long at = FindSignature(stream);
        if (at < 0)
            throw new PepLabInputException(path, stream.Length == 0 ? "is empty, not an HDF5 file" : "is not an HDF5 file (no HDF5 signature)");
        long? end = DeclaredEnd(stream, at);
        if (end is { } needed && stream.Length < needed)
            throw new PepLabInputException(path,
                $"is truncated: {stream.Length:N0} bytes on disk, its HDF5 superblock declares {needed:N0} (an interrupted write or copy?)");
    }

    /// <summary>Offset of the superblock: 0, 512, 1024, 2048, ... (a user block may precede it), or -1.</summary>
    private static long FindSignature(Stream stream)
    {
        Span<byte> head = stackalloc byte[8];
        for (long at = 0; at + 8 <= stream.Length; at = at == 0 ? 512 : at * 2)
        {
            stream.Position = at;
            stream.ReadExactly(head);
            if (head.SequenceEqual(Signature)) return at;
        }
        return -1;
    }

    /// <summary>Base address + end-of-file address from the superblock, or null when it cannot be told.</summary>
    private static long? DeclaredEnd(Stream stream, long at)
    {
        Span<byte> sb = stackalloc byte[96];
        stream.Position = at;
        int got = stream.ReadAtLeast(sb, sb.Length, throwOnEndOfStream: false);
        sb = sb[..got];
        if (sb.Length < 16) return at + 16; // not even a whole superblock header
        int version = sb[8];
        int offsets, position;
        switch (version)
        {
            case 0:
            case 1:
                offsets = sb[13];
                position = version == 0 ? 24 : 28; // version 1 adds the indexed-storage K and 2 reserved bytes
                break;
            case 2:
            case 3:
                offsets = sb[9];
                position = 12;
                break;
            default:
                return null;
        }
        if (offsets is not (2 or 4 or 8)) return null;
        // Layout from `position`: base address, (free-space | extension) address, end-of-file address.
        int needed = position + 3 * offsets;
        if (sb.Length < needed) return at + needed;
        ulong baseAddress = ReadAddress(sb.Slice(position, offsets));
        ulong eof = ReadAddress(sb.Slice(position + 2 * offsets, offsets));
        ulong undefined = offsets == 8 ? ulong.MaxValue : (1UL << (8 * offsets)) - 1;
        if (eof == undefined || baseAddress == undefined) return null;
        ulong total = baseAddress + eof;
        return total > long.MaxValue ? null : (long)total;
    }

    private static ulong ReadAddress(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
    };
}
