using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// One link of a group: its name and the address of the object header it points to (relative to
/// the file's base address), or -1 for a soft link (a path, which PureHDF resolves).
/// </summary>
public readonly record struct Hdf5Link(string Name, long ObjectHeader);

/// <summary>
/// A raw dataset whose bytes lie in one piece: <paramref name="Dims"/> elements of
/// <paramref name="ElementSize"/>-byte integers (little-endian), at <paramref name="DataAddress"/>
/// in the file or held in the header (<paramref name="Compact"/>).
/// </summary>
public sealed record Hdf5PlainDataset(ulong[] Dims, int ElementSize, bool Signed, long DataAddress, byte[]? Compact);

/// <summary>
/// A narrow reader of two HDF5 structures that PureHDF handles slowly in the original sampler's
/// files, where the root group holds up to 14,000 links: the links of an old-style group (a
/// symbol table: a version-1 B-tree of symbol-table nodes, names in a local heap), listed without
/// reading any child's object header; and the header of a plain integer dataset (contiguous or
/// compact, no filters), so that its bytes are read directly. Anything else (new-style groups
/// with link messages or dense storage, offsets other than 8 bytes, chunked or filtered data,
/// other types) is declined with null, and the caller reads it through PureHDF.
/// Damaged link storage is refused with a <see cref="BadFileException"/> naming the file.
/// Positional reads only: one instance may serve one thread at a time.
/// </summary>
public sealed class Hdf5Links : IDisposable
{
    private const int OffsetSize = 8;
    private const int SymbolEntrySize = 40; // name offset, header address, cache type, reserved, 16-byte scratch pad
    private const int MaxHeaderChunks = 64;
    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private long _base;

    private Hdf5Links(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        _length = RandomAccess.GetLength(_handle);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/> for positional reads (the file is expected to be HDF5; see <see cref="Hdf5Files.CheckWhole"/>).</summary>
    public static Hdf5Links Open(string path)
    {
        try
        {
            return new Hdf5Links(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadFileException(path, $"cannot be opened ({BadFileException.Describe(e)})", e);
        }
    }

    /// <summary>
    /// The links of the root group when it is an old-style (symbol-table) group, in the B-tree's
    /// name order; null when it is a new-style group or the superblock is of a kind this reader does
    /// not handle. Throws <see cref="BadFileException"/> naming the file when the symbol table, its
    /// B-tree nodes or its local heap are damaged.
    /// </summary>
    public IReadOnlyList<Hdf5Link>? TryListRoot()
    {
        if (!TryFindRootSymbolTable(out long btree, out long heap)) return null;
        try
        {
            return ListSymbolTable(btree, heap);
        }
        catch (DamagedException e)
        {
            throw new BadFileException(Path, $"its root group's link storage is damaged ({e.Message})");
        }
    }

    private bool TryFindRootSymbolTable(out long btree, out long heap)
    {
        btree = heap = -1;
        Span<byte> sb = stackalloc byte[100];
        int read = RandomAccess.Read(_handle, sb, 0);
        if (read < 48) return false;
        int version = sb[8];
        long rootHeader;
        if (version is 0 or 1)
        {
            if (sb[13] != OffsetSize || sb[14] != OffsetSize) return false;
            int at = version == 0 ? 24 : 28; // v1 adds the indexed-storage K and 2 reserved bytes
            if (read < at + 72) return false; // four addresses and the root's symbol-table entry
            _base = BinaryPrimitives.ReadInt64LittleEndian(sb[at..]);
            var entry = sb[(at + 32)..]; // after base, free-space, end-of-file and driver addresses
            rootHeader = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
        }
        else if (version is 2 or 3)
        {
            if (sb[9] != OffsetSize || sb[10] != OffsetSize) return false;
            _base = BinaryPrimitives.ReadInt64LittleEndian(sb[12..]);
            rootHeader = BinaryPrimitives.ReadInt64LittleEndian(sb[36..]);
        }
        else
        {
            return false;
        }
        // The root's object header decides, not the symbol table a version-0/1 superblock caches:
        // HDF5 turns an old-style group into a new-style one (link info, link messages or dense
        // storage) when a link needs what a symbol table cannot hold (a UTF-8 name, creation order),
        // and the cache then still names the old, stale B-tree.
        var messages = Messages(rootHeader);
        if (messages is null || messages.Any(m => m.Type is 0x02 or 0x06)) return false;
        foreach (var (type, body) in messages)
        {
            if (type == 0x11 && body.Length >= 2 * OffsetSize)
            {
                btree = BinaryPrimitives.ReadInt64LittleEndian(body);
                heap = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(OffsetSize));
                return true;
            }
        }
        return false;
    }

    private List<Hdf5Link> ListSymbolTable(long btree, long heap)
    {
        byte[] names = LocalHeap(heap);
        var links = new List<Hdf5Link>();
        var visited = new HashSet<long>();
        var pending = new Stack<(long Address, int Level)>();
        pending.Push((btree, -1));
        while (pending.Count > 0)
        {
            var (address, expectedLevel) = pending.Pop();
            if (!visited.Add(address)) throw new DamagedException($"B-tree node at {address} is reached twice");
            var head = ReadExact(address, 8 + 2 * OffsetSize, "B-tree node");
            if (!head.AsSpan(0, 4).SequenceEqual("TREE"u8)) throw new DamagedException($"no B-tree node signature at {address}");
            if (head[4] != 0) throw new DamagedException($"B-tree node at {address} is of type {head[4]}, not a group node");
            int level = head[5];
            int entries = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(6));
            if (expectedLevel >= 0 && level != expectedLevel) throw new DamagedException($"B-tree node at {address} has level {level}, its parent expects {expectedLevel}");
            // keys (heap offsets, 8 bytes) and children alternate: key 0, child 0, ..., child n-1, key n
            var body = ReadExact(address + head.Length, (2 * entries + 1) * OffsetSize, "B-tree node");
            if (level > 0)
            {
                for (int i = entries - 1; i >= 0; i--) // pushed in reverse so that children are visited in order
                    pending.Push((Child(body, i), level - 1));
            }
            else
            {
                // the children of a leaf are symbol-table nodes
                for (int i = 0; i < entries; i++)
                {
                    long snod = Child(body, i);
                    if (!visited.Add(snod)) throw new DamagedException($"symbol-table node at {snod} is reached twice");
                    ReadSymbolNode(snod, names, links);
                }
            }
        }
        return links;
    }

    private static long Child(byte[] body, int i) => BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan((2 * i + 1) * OffsetSize));

    private void ReadSymbolNode(long address, byte[] names, List<Hdf5Link> links)
    {
        var head = ReadExact(address, 8, "symbol-table node");
        if (!head.AsSpan(0, 4).SequenceEqual("SNOD"u8)) throw new DamagedException($"no symbol-table node signature at {address}");
        if (head[4] != 1) throw new DamagedException($"symbol-table node at {address} has version {head[4]}");
        int count = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(6));
        var entries = ReadExact(address + 8, count * SymbolEntrySize, "symbol-table node");
        for (int i = 0; i < count; i++)
        {
            var entry = entries.AsSpan(i * SymbolEntrySize, SymbolEntrySize);
            long nameOffset = BinaryPrimitives.ReadInt64LittleEndian(entry);
            long header = BinaryPrimitives.ReadInt64LittleEndian(entry[OffsetSize..]);
            if (nameOffset < 0 || nameOffset >= names.Length) throw new DamagedException($"a link name at heap offset {nameOffset} lies outside the local heap ({names.Length} bytes)");
            int end = Array.IndexOf(names, (byte)0, (int)nameOffset);
            if (end < 0) throw new DamagedException($"the link name at heap offset {nameOffset} is not terminated");
            string name = Encoding.UTF8.GetString(names, (int)nameOffset, end - (int)nameOffset);
            if (BinaryPrimitives.ReadInt32LittleEndian(entry[(2 * OffsetSize)..]) == 2) // a soft link: its target is a path, not a header
            {
                links.Add(new Hdf5Link(name, -1));
                continue;
            }
            if (header < 0 || _base + header >= _length) throw new DamagedException($"the link {name} points to {header}, outside the file");
            links.Add(new Hdf5Link(name, header));
        }
    }

    /// <summary>The data segment of a local heap (the group's link names).</summary>
    private byte[] LocalHeap(long address)
    {
        var head = ReadExact(address, 8 + 2 * 8 + OffsetSize, "local heap");
        if (!head.AsSpan(0, 4).SequenceEqual("HEAP"u8)) throw new DamagedException($"no local heap signature at {address}");
        long size = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(8));
        long data = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(24));
        if (size < 0 || size > Array.MaxLength) throw new DamagedException($"the local heap claims {size} bytes");
        return ReadExact(data, (int)size, "local heap");
    }

    /// <summary>
    /// The layout of the dataset whose object header is at <paramref name="objectHeader"/> when it is
    /// a plain integer array: simple dataspace, fixed-point little-endian 1, 2, 4 or 8 bytes, contiguous
    /// (allocated) or compact storage, no filters, no external files, no shared messages. Null for
    /// anything else or for a header this reader cannot make sense of (PureHDF then reads it and
    /// reports what is wrong).
    /// </summary>
    public Hdf5PlainDataset? TryDescribePlainDataset(long objectHeader)
    {
        ulong[]? dims = null;
        int elementSize = 0;
        bool signed = false, typeOk = false;
        long dataAddress = -1;
        long dataSize = -1;
        byte[]? compact = null;
        var messages = Messages(objectHeader);
        if (messages is null) return null;
        foreach (var (type, body) in messages)
        {
            var b = body.AsSpan();
            switch (type)
            {
                case 0x01: // dataspace
                    dims = Dataspace(b);
                    if (dims is null) return null;
                    break;
                case 0x03: // datatype
                    if (b.Length < 12 || (b[0] & 0x0F) != 0) return null; // class 0: fixed point
                    if ((b[1] & 0x01) != 0) return null; // big-endian
                    signed = (b[1] & 0x08) != 0;
                    elementSize = BinaryPrimitives.ReadInt32LittleEndian(b[4..]);
                    if (elementSize is not (1 or 2 or 4 or 8)) return null;
                    if (BinaryPrimitives.ReadUInt16LittleEndian(b[8..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(b[10..]) != 8 * elementSize) return null;
                    typeOk = true;
                    break;
                case 0x08: // data layout
                    if (b.Length < 2) return null;
                    if (b[0] is 3 or 4 && b[1] == 1 && b.Length >= 2 + OffsetSize + 8)
                    {
                        dataAddress = BinaryPrimitives.ReadInt64LittleEndian(b[2..]);
                        dataSize = BinaryPrimitives.ReadInt64LittleEndian(b[(2 + OffsetSize)..]);
                    }
                    else if (b[0] is 3 or 4 && b[1] == 0 && b.Length >= 4)
                    {
                        int size = BinaryPrimitives.ReadUInt16LittleEndian(b[2..]);
                        if (b.Length < 4 + size) return null;
                        compact = b.Slice(4, size).ToArray();
                    }
                    else
                    {
                        return null; // chunked, virtual, or the layout versions 1 and 2 of old libraries
                    }
                    break;
                case 0x07: // external data files
                case 0x0B: // filter pipeline
                    return null;
            }
        }
        if (dims is null || !typeOk) return null;
        long needed = elementSize;
        foreach (ulong d in dims)
        {
            if (d > int.MaxValue) return null;
            needed *= (long)d;
            if (needed > int.MaxValue) return null;
        }
        if (compact is not null)
            return compact.Length >= needed ? new Hdf5PlainDataset(dims, elementSize, signed, -1, compact) : null;
        if (dataAddress < 0 || dataSize < needed || _base + dataAddress + needed > _length) return null; // unallocated (-1) or cut off
        return new Hdf5PlainDataset(dims, elementSize, signed, _base + dataAddress, null);
    }

    /// <summary>Reads the bytes of <paramref name="dataset"/> into <paramref name="destination"/> (exactly its size).</summary>
    public void Read(Hdf5PlainDataset dataset, Span<byte> destination)
    {
        if (dataset.Compact is { } bytes)
        {
            bytes.AsSpan(0, destination.Length).CopyTo(destination);
            return;
        }
        int read = 0;
        while (read < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[read..], dataset.DataAddress + read);
            if (n <= 0) throw new EndOfStreamException($"the file ends {destination.Length - read} bytes into a dataset at {dataset.DataAddress}");
            read += n;
        }
    }

    private static ulong[]? Dataspace(ReadOnlySpan<byte> b)
    {
        if (b.Length < 4) return null;
        int rank = b[1];
        int at;
        if (b[0] == 1) at = 8;
        else if (b[0] == 2 && b[3] == 1) at = 4; // version 2, simple
        else return null;
        if (rank == 0 || b.Length < at + 8 * rank) return null;
        var dims = new ulong[rank];
        for (int i = 0; i < rank; i++) dims[i] = BinaryPrimitives.ReadUInt64LittleEndian(b[(at + 8 * i)..]);
        return dims;
    }

    /// <summary>
    /// The messages (type, body) of the object header at <paramref name="address"/>, following
    /// continuation blocks; shared messages are skipped. Null when the header is not one of
    /// versions 1 or 2 or does not hold together.
    /// </summary>
    private List<(int Type, byte[] Body)>? Messages(long address)
    {
        if (FirstChunk(address + _base) is not { } head) return null;
        var (first, v2, headerFlags) = head;
        var messages = new List<(int, byte[])>();
        var chunks = new Queue<(long Address, long Size)>();
        chunks.Enqueue(first);
        int read = 0;
        while (chunks.Count > 0)
        {
            if (++read > MaxHeaderChunks) return null;
            var (at, size) = chunks.Dequeue();
            if (size < 0 || size > 1 << 24 || at < 0 || at + size > _length) return null;
            var chunk = new byte[size];
            if (RandomAccess.Read(_handle, chunk, at) < size) return null;
            int pos = 0, end = (int)size;
            if (v2 && read > 1)
            {
                if (size < 8 || !chunk.AsSpan(0, 4).SequenceEqual("OCHK"u8)) return null;
                pos = 4;
            }
            if (v2) end -= 4; // checksum
            int headerSize = v2 ? 4 : 8;
            while (end - pos >= headerSize)
            {
                int type, length, flags;
                if (v2)
                {
                    type = chunk[pos];
                    length = BinaryPrimitives.ReadUInt16LittleEndian(chunk.AsSpan(pos + 1));
                    flags = chunk[pos + 3];
                    pos += 4 + ((headerFlags & 0x04) != 0 ? 2 : 0); // creation order, when the header tracks it
                }
                else
                {
                    type = BinaryPrimitives.ReadUInt16LittleEndian(chunk.AsSpan(pos));
                    length = BinaryPrimitives.ReadUInt16LittleEndian(chunk.AsSpan(pos + 2));
                    flags = chunk[pos + 4];
                    pos += 8;
                }
                if (pos + length > end) return null;
                var body = chunk.AsSpan(pos, length);
                pos += length;
                if (type == 0x10) // continuation
                {
                    if (length < 16) return null;
                    chunks.Enqueue((_base + BinaryPrimitives.ReadInt64LittleEndian(body), BinaryPrimitives.ReadInt64LittleEndian(body[8..])));
                }
                else if ((flags & 0x02) == 0) // shared messages are left to PureHDF
                {
                    messages.Add((type, body.ToArray()));
                }
                else if (type is 0x01 or 0x03 or 0x08)
                {
                    return null;
                }
            }
        }
        return messages;
    }

    /// <summary>
    /// Where the first block of messages of the object header at the absolute <paramref name="address"/>
    /// lies, whether the header is of version 2, and its flags; null when it is neither version 1 nor 2.
    /// </summary>
    private ((long Address, long Size) Chunk, bool V2, int Flags)? FirstChunk(long address)
    {
        if (address < 0 || address + 16 > _length) return null;
        var start = new byte[16];
        if (RandomAccess.Read(_handle, start, address) < 16) return null;
        if (start.AsSpan(0, 4).SequenceEqual("OHDR"u8))
        {
            if (start[4] != 2) return null;
            int flags = start[5];
            int at = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int width = 1 << (flags & 0x03);
            var sizeField = new byte[8];
            if (RandomAccess.Read(_handle, sizeField.AsSpan(0, width), address + at) < width) return null;
            long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(sizeField);
            return ((address + at + width, size), true, flags);
        }
        if (start[0] == 1) return ((address + 16, BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(8))), false, 0);
        return null;
    }

    private byte[] ReadExact(long address, int length, string what)
    {
        long at = _base + address;
        if (address < 0 || length < 0 || at + length > _length)
            throw new DamagedException($"{what} at {address} ({length} bytes) lies outside the file ({_length} bytes)");
        var buffer = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = RandomAccess.Read(_handle, buffer.AsSpan(read), at + read);
            if (n <= 0) throw new DamagedException($"{what} at {address} is cut off");
            read += n;
        }
        return buffer;
    }

    public void Dispose() => _handle.Dispose();

    private sealed class DamagedException(string message) : Exception(message);
}
