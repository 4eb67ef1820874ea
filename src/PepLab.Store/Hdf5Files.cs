using System.Buffers.Binary;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>Cheap checks on an HDF5 file before it is opened.</summary>
public static class Hdf5Files
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>
    /// Throws a one-line <see cref="PepLabInputException"/> when <paramref name="path"/> is not an
    /// HDF5 file or is shorter than the end-of-file address its superblock records (a copy or a
    /// write that was cut off). Reads only the superblock.
    /// </summary>
    public static void CheckWhole(string path)
    {
        Span<byte> head = stackalloc byte[56];
        long length;
        int read;
        using (var f = File.OpenRead(path))
        {
            length = f.Length;
            read = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (read < 8 || !head[..8].SequenceEqual(Signature))
            throw new PepLabInputException(path, "is not an HDF5 file");
        int version = head[8];
        long? eof = null;
        if (version is 2 or 3 && read >= 36 && head[9] == 8)
            eof = BinaryPrimitives.ReadInt64LittleEndian(head[28..]);
        else if (version == 0 && read >= 48 && head[13] == 8)
            eof = BinaryPrimitives.ReadInt64LittleEndian(head[40..]);
        else if (version == 1 && read >= 52 && head[13] == 8)
            eof = BinaryPrimitives.ReadInt64LittleEndian(head[44..]);
        if (eof is { } end && end > length)
            throw new PepLabInputException(path, $"is truncated ({length} of {end} bytes): the copy or the write was cut off");
    }
}
