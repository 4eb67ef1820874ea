using System.Buffers.Binary;
using PepLab.Core;
using PureHDF;

namespace PepLab.Store;

/// <summary>Cheap checks on an HDF5 file before it is opened, and attribute reads that accept any numeric width.</summary>
public static class Hdf5Files
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>
    /// Throws a one-line <see cref="BadFileException"/> when <paramref name="path"/> is not an
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
            throw new BadFileException(path, "is not an HDF5 file");
        int version = head[8];
        long? eof = null;
        if (version is 2 or 3 && read >= 36 && head[9] == 8)
            eof = BinaryPrimitives.ReadInt64LittleEndian(head[28..]);
        else if (version == 0 && read >= 48 && head[13] == 8)
            eof = BinaryPrimitives.ReadInt64LittleEndian(head[40..]);
        else if (version == 1 && read >= 52 && head[13] == 8)
            eof = BinaryPrimitives.ReadInt64LittleEndian(head[44..]);
        if (eof is { } end && end > length)
            throw new BadFileException(path, $"is truncated ({length} of {end} bytes): the copy or the write was cut off");
    }

    /// <summary>
    /// The root attribute <paramref name="name"/> as an integer, whatever integer width and sign it
    /// was written with (PepLab writes int32 and uint64; h5py writes int64 by default); null when
    /// absent. Throws <see cref="BadFileException"/> naming the file and the attribute when it is not
    /// a scalar integer.
    /// </summary>
    public static Int128? ReadInteger(string path, IH5Object file, string name)
    {
        if (Scalar(path, file, name) is not { } attribute) return null;
        var type = attribute.Type;
        if (type.Class != H5DataTypeClass.FixedPoint)
            throw new BadFileException(path, $"attribute '{name}' is {Describe(type)}, not an integer");
        bool signed = type.FixedPoint.IsSigned;
        return (type.Size, signed) switch
        {
            (1, false) => attribute.Read<byte>(),
            (1, true) => attribute.Read<sbyte>(),
            (2, false) => attribute.Read<ushort>(),
            (2, true) => attribute.Read<short>(),
            (4, false) => attribute.Read<uint>(),
            (4, true) => attribute.Read<int>(),
            (8, false) => attribute.Read<ulong>(),
            (8, true) => attribute.Read<long>(),
            _ => throw new BadFileException(path, $"attribute '{name}' is {Describe(type)}, not an integer of 1, 2, 4 or 8 bytes"),
        };
    }

    /// <summary>
    /// The root attribute <paramref name="name"/> as a double, from a float of 4 or 8 bytes or an
    /// integer of any width; null when absent. Throws <see cref="BadFileException"/> naming the file and
    /// the attribute when it is not a scalar number. The value may be NaN: range checks are the caller's.
    /// </summary>
    public static double? ReadReal(string path, IH5Object file, string name)
    {
        if (Scalar(path, file, name) is not { } attribute) return null;
        var type = attribute.Type;
        if (type.Class == H5DataTypeClass.FixedPoint) return (double)ReadInteger(path, file, name)!.Value;
        if (type.Class != H5DataTypeClass.FloatingPoint)
            throw new BadFileException(path, $"attribute '{name}' is {Describe(type)}, not a number");
        return type.Size switch
        {
            4 => attribute.Read<float>(),
            8 => attribute.Read<double>(),
            _ => throw new BadFileException(path, $"attribute '{name}' is {Describe(type)}, not a float of 4 or 8 bytes"),
        };
    }

    /// <summary>The root attribute <paramref name="name"/> as a string; null when absent; <see cref="BadFileException"/> when it is not a scalar string.</summary>
    public static string? ReadString(string path, IH5Object file, string name)
    {
        if (Scalar(path, file, name) is not { } attribute) return null;
        if (!IsString(attribute.Type))
            throw new BadFileException(path, $"attribute '{name}' is {Describe(attribute.Type)}, not a string");
        return attribute.Read<string>();
    }

    /// <summary>True for a fixed-length or variable-length string type (PepLab and h5py write the latter).</summary>
    public static bool IsString(IH5DataType type) =>
        type.Class == H5DataTypeClass.String
        || (type.Class == H5DataTypeClass.VariableLength && type.VariableLength.BaseType.Size == 1);

    private static IH5Attribute? Scalar(string path, IH5Object file, string name)
    {
        if (!file.AttributeExists(name)) return null;
        var attribute = file.Attribute(name);
        var space = attribute.Space;
        bool single = space.Type == H5DataspaceType.Scalar
                      || (space.Type == H5DataspaceType.Simple && space.Dimensions.All(d => d == 1));
        if (!single)
            throw new BadFileException(path, $"attribute '{name}' has shape ({string.Join(", ", space.Dimensions)}), not a single value");
        return attribute;
    }

    /// <summary>An HDF5 type in words: "a 4-byte FloatingPoint value", "a string".</summary>
    public static string Describe(IH5DataType type) => IsString(type) ? "a string" : $"a {type.Size}-byte {type.Class} value";
}
