using System.Buffers.Binary;
using System.IO.Compression;
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
/// Where one chunk of a <see cref="Hdf5ChunkedDataset"/> lies: its absolute address in the file, its
/// stored size in bytes, and whether it passed through the dataset's deflate filter.
/// </summary>
public readonly record struct Hdf5Chunk(long Address, int Size, bool Deflated);

/// <summary>
/// A chunked dataset of one-byte integers stored with at most a deflate filter and a fixed-array
/// chunk index (what PureHDF writes, and HDF5 1.10+ for a dataset that cannot grow): its
/// <paramref name="Dims"/>, <paramref name="ChunkDims"/>, and every chunk in row-major chunk order.
/// </summary>
public sealed record Hdf5ChunkedDataset(ulong[] Dims, ulong[] ChunkDims, Hdf5Chunk[] Chunks)
{
    /// <summary>Bytes of one chunk once inflated (edge chunks are stored whole).</summary>
    public int ChunkBytes { get; } = (int)ChunkDims.Aggregate(1UL, (a, b) => a * b);
}

/// <summary>
/// A narrow reader of the HDF5 structures that PureHDF handles slowly. In the original sampler's
/// files, where the root group holds up to 14,000 links: the links of an old-style group (a
/// symbol table: a version-1 B-tree of symbol-table nodes, names in a local heap), listed without
/// reading any child's object header; and the header of a plain integer dataset (contiguous or
/// compact, no filters), so that its bytes are read directly. In PepLab's own files: the chunk
/// index of the frames (<see cref="TryDescribeChunkedDataset"/>), so that a chunk inflates straight
/// into the caller's buffer (PureHDF copies a chunk out one row of the last dimension at a time,
/// which cost as much as inflating it). Anything else (dense link storage, offsets other than
/// 8 bytes, other filters, other chunk indexes, other types) is declined with null, and the
/// caller reads it through PureHDF.
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
    /// The links of the root group: of an old-style (symbol-table) group in the B-tree's name order;
    /// of a new-style group that keeps its links in its header (link messages, as PureHDF writes
    /// every group and HDF5 a small one) in the header's order. Null when the links are in dense
    /// storage (a fractal heap), a link message does not parse, or the superblock is of a kind this
    /// reader does not handle. Throws <see cref="BadFileException"/> naming the file when the symbol
    /// table, its B-tree nodes or its local heap are damaged.
    /// </summary>
    public IReadOnlyList<Hdf5Link>? TryListRoot()
    {
        // The root's header is read once; its messages say which of the two storages holds the links.
        if (!TryRootHeader(out long rootHeader) || Messages(rootHeader) is not { } messages) return null;
        if (!TryFindSymbolTable(messages, out long btree, out long heap)) return ListHeaderLinks(messages);
        try
        {
            return ListSymbolTable(btree, heap);
        }
        catch (DamagedException e)
        {
            throw new BadFileException(Path, $"its root group's link storage is damaged ({e.Message})");
        }
    }

    /// <summary>The links of a new-style group kept in its header (its <paramref name="messages"/>); null otherwise (see <see cref="TryListRoot"/>).</summary>
    private List<Hdf5Link>? ListHeaderLinks(List<(int Type, byte[] Body)> messages)
    {
        var links = new List<Hdf5Link>();
        bool newStyle = false;
        foreach (var (type, body) in messages)
        {
            if (type == 0x02)
            {
                if (!LinksInHeader(body)) return null;
                newStyle = true;
            }
            else if (type == 0x06)
            {
                if (Link(body) is not { } link) return null;
                links.Add(link);
            }
        }
        return newStyle ? links : null;
    }

    /// <summary>
    /// Reads the superblock: sets the base address and returns the root group's object header, or
    /// false when the superblock is of a kind this reader does not handle (offsets other than 8 bytes).
    /// </summary>
    private bool TryRootHeader(out long rootHeader)
    {
        rootHeader = -1;
        Span<byte> sb = stackalloc byte[100];
        int read = RandomAccess.Read(_handle, sb, 0);
        if (read < 48) return false;
        int version = sb[8];
        if (version is 0 or 1)
        {
            if (sb[13] != OffsetSize || sb[14] != OffsetSize) return false;
            int at = version == 0 ? 24 : 28; // v1 adds the indexed-storage K and 2 reserved bytes
            if (read < at + 72) return false; // four addresses and the root's symbol-table entry
            _base = BinaryPrimitives.ReadInt64LittleEndian(sb[at..]);
            var entry = sb[(at + 32)..]; // after base, free-space, end-of-file and driver addresses
            rootHeader = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
            return true;
        }
        if (version is 2 or 3)
        {
            if (sb[9] != OffsetSize || sb[10] != OffsetSize) return false;
            _base = BinaryPrimitives.ReadInt64LittleEndian(sb[12..]);
            rootHeader = BinaryPrimitives.ReadInt64LittleEndian(sb[36..]);
            return true;
        }
        return false;
    }

    /// <summary>The B-tree and local heap of an old-style group, from its header's <paramref name="messages"/>; false for a new-style group.</summary>
    private static bool TryFindSymbolTable(List<(int Type, byte[] Body)> messages, out long btree, out long heap)
    {
        btree = heap = -1;
        // The root's object header decides, not the symbol table a version-0/1 superblock caches:
        // HDF5 turns an old-style group into a new-style one (link info, link messages or dense
        // storage) when a link needs what a symbol table cannot hold (a UTF-8 name, creation order),
        // and the cache then still names the old, stale B-tree.
        if (messages.Any(m => m.Type is 0x02 or 0x06)) return false;
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
                    if (IntegerType(b) is not var (bytes, isSigned)) return null;
                    (elementSize, signed, typeOk) = (bytes, isSigned, true);
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

    /// <summary>
    /// The object header of the dataset or group the root links to as <paramref name="name"/> (a hard
    /// link); null when there is no such link or the root is listed through PureHDF (<see cref="TryListRoot"/>).
    /// </summary>
    public long? TryFindRootLink(string name) =>
        TryListRoot()?.Where(l => l.Name == name && l.ObjectHeader >= 0).Select(l => (long?)l.ObjectHeader).FirstOrDefault();

    /// <summary>True when a link-info message says the links are in the header (no fractal heap of dense storage).</summary>
    private static bool LinksInHeader(ReadOnlySpan<byte> b)
    {
        if (b.Length < 2 || b[0] != 0) return false;
        int at = 2 + ((b[1] & 0x01) != 0 ? 8 : 0); // the maximum creation index, when tracked
        return b.Length >= at + OffsetSize && BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) == ulong.MaxValue;
    }

    /// <summary>
    /// A link message's name and object header (-1 for a soft or external link, as in a symbol
    /// table); null when it does not parse or points outside the file.
    /// </summary>
    private Hdf5Link? Link(ReadOnlySpan<byte> b)
    {
        if (b.Length < 2 || b[0] != 1) return null;
        int flags = b[1], at = 2, linkType = 0;
        if ((flags & 0x08) != 0)
        {
            if (b.Length <= at) return null;
            linkType = b[at++];
        }
        if ((flags & 0x04) != 0) at += 8; // creation order
        if ((flags & 0x10) != 0) at++; // name character set
        int width = 1 << (flags & 0x03);
        if (b.Length < at + width) return null;
        Span<byte> lengthField = stackalloc byte[8];
        b.Slice(at, width).CopyTo(lengthField);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        at += width;
        if (length == 0 || length > (ulong)(b.Length - at)) return null;
        string name = Encoding.UTF8.GetString(b.Slice(at, (int)length));
        if (linkType != 0) return new Hdf5Link(name, -1); // its target is a path, which PureHDF resolves
        at += (int)length;
        if (b.Length < at + OffsetSize) return null;
        long header = BinaryPrimitives.ReadInt64LittleEndian(b[at..]);
        return header >= 0 && _base + header < _length ? new Hdf5Link(name, header) : null;
    }

    /// <summary>
    /// The chunks of the dataset whose object header is at <paramref name="objectHeader"/> when it is
    /// a chunked array of one-byte integers (layout version 4) with a fixed-array chunk index in one
    /// unpaged data block, filtered by deflate alone or not at all, every chunk allocated and inside
    /// the file. Null for anything else; the caller then reads through PureHDF, which reports what is wrong.
    /// </summary>
    public Hdf5ChunkedDataset? TryDescribeChunkedDataset(long objectHeader)
    {
        ulong[]? dims = null, chunkDims = null;
        bool typeOk = false, deflate = false;
        long index = -1, singleSize = -1;
        int indexType = -1;
        bool singleFiltered = false;
        Span<byte> field = stackalloc byte[8];
        var messages = Messages(objectHeader);
        if (messages is null) return null;
        foreach (var (type, body) in messages)
        {
            var b = body.AsSpan();
            switch (type)
            {
                case 0x01:
                    dims = Dataspace(b);
                    if (dims is null) return null;
                    break;
                case 0x03:
                    if (IntegerType(b) is not (1, _)) return null;
                    typeOk = true;
                    break;
                case 0x08:
                    // version 4, chunked; rank + 1 sizes, the last the element size; flags: none, or (single
                    // chunk only) 2: its stored size and filter mask follow the index type
                    if (b.Length < 5 || b[0] != 4 || b[1] != 2) return null;
                    int sizes = b[3], width = b[4];
                    if (sizes < 2 || width is < 1 or > 8) return null;
                    int at = 5 + sizes * width;
                    if (b.Length < at + 1) return null;
                    chunkDims = new ulong[sizes - 1];
                    for (int i = 0; i < sizes; i++)
                    {
                        field.Clear();
                        b.Slice(5 + i * width, width).CopyTo(field);
                        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(field);
                        if (i < sizes - 1) chunkDims[i] = v;
                        else if (v != 1) return null;
                    }
                    indexType = b[at];
                    if (indexType == 3 && b[2] == 0 && b.Length >= at + 2 + OffsetSize) // fixed array: page bits, then its header
                    {
                        index = BinaryPrimitives.ReadInt64LittleEndian(b[(at + 2)..]);
                    }
                    else if (indexType == 1 && b[2] == 2 && b.Length >= at + 13 + OffsetSize) // single filtered chunk: size, mask, address
                    {
                        singleSize = BinaryPrimitives.ReadInt64LittleEndian(b[(at + 1)..]);
                        singleFiltered = (BinaryPrimitives.ReadUInt32LittleEndian(b[(at + 9)..]) & 1) == 0;
                        index = BinaryPrimitives.ReadInt64LittleEndian(b[(at + 13)..]);
                    }
                    else if (indexType == 1 && b[2] == 0 && b.Length >= at + 1 + OffsetSize) // single unfiltered chunk: address
                    {
                        index = BinaryPrimitives.ReadInt64LittleEndian(b[(at + 1)..]);
                    }
                    else
                    {
                        return null; // B-trees, extensible or implicit indexes, or edge chunks left unfiltered
                    }
                    break;
                case 0x0B:
                    if (!DeflateOnly(b, out deflate)) return null;
                    break;
                case 0x07:
                    return null;
            }
        }
        if (dims is null || chunkDims is null || !typeOk || dims.Length != chunkDims.Length || index < 0) return null;
        ulong count = 1, chunkBytes = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (chunkDims[i] == 0 || dims[i] > int.MaxValue) return null;
            count *= (dims[i] + chunkDims[i] - 1) / chunkDims[i];
            chunkBytes *= chunkDims[i];
            if (count > int.MaxValue || chunkBytes > int.MaxValue) return null;
        }
        Hdf5Chunk[]? chunks;
        if (indexType == 3)
        {
            chunks = FixedArray(index, (int)count, deflate, (int)chunkBytes);
        }
        else
        {
            // One chunk: its size and mask are in the layout message when the dataset is filtered.
            if (count != 1 || deflate != singleSize >= 0) return null;
            long size = deflate ? singleSize : (long)chunkBytes;
            if (size <= 0 || size > int.MaxValue || _base + index + size > _length) return null;
            chunks = [new Hdf5Chunk(_base + index, (int)size, deflate && singleFiltered)];
        }
        return chunks is null ? null : new Hdf5ChunkedDataset(dims, chunkDims, chunks);
    }

    /// <summary>
    /// The entries of a fixed-array chunk index (header "FAHD", one unpaged data block "FADB") of
    /// <paramref name="count"/> chunks; null when it is paged, of another shape, or any chunk is
    /// unallocated or lies outside the file.
    /// </summary>
    private Hdf5Chunk[]? FixedArray(long address, int count, bool deflated, int chunkBytes)
    {
        if (address < 0 || _base + address + 32 > _length) return null;
        var head = new byte[4 + 4 + 8 + OffsetSize];
        if (RandomAccess.Read(_handle, head, _base + address) < head.Length) return null;
        if (!head.AsSpan(0, 4).SequenceEqual("FAHD"u8) || head[4] != 0 || head[5] != (deflated ? 1 : 0)) return null;
        int entrySize = head[6], pageBits = head[7];
        long entries = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(8));
        long block = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(16));
        int sizeWidth = entrySize - OffsetSize - 4; // filtered entries: address, stored size, filter mask
        if (entries != count || (deflated ? sizeWidth is < 1 or > 8 : entrySize != OffsetSize)) return null;
        if (pageBits < 31 && count > 1L << pageBits) return null; // paged data block
        int prefix = 4 + 2 + OffsetSize;
        long length = prefix + (long)count * entrySize;
        if (block < 0 || _base + block + length > _length || length > Array.MaxLength) return null;
        var data = new byte[length];
        if (RandomAccess.Read(_handle, data, _base + block) < length) return null;
        if (!data.AsSpan(0, 4).SequenceEqual("FADB"u8) || data[4] != 0 || data[5] != head[5]
            || BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(6)) != address) return null;
        var chunks = new Hdf5Chunk[count];
        Span<byte> field = stackalloc byte[8];
        for (int i = 0; i < count; i++)
        {
            var e = data.AsSpan(prefix + i * entrySize, entrySize);
            long at = BinaryPrimitives.ReadInt64LittleEndian(e);
            long size = chunkBytes;
            bool filtered = false;
            if (deflated)
            {
                field.Clear();
                e.Slice(OffsetSize, sizeWidth).CopyTo(field);
                size = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(field), long.MaxValue);
                uint mask = BinaryPrimitives.ReadUInt32LittleEndian(e[(OffsetSize + sizeWidth)..]);
                filtered = (mask & 1) == 0;
            }
            if (at < 0 || size <= 0 || size > int.MaxValue || _base + at + size > _length) return null;
            chunks[i] = new Hdf5Chunk(_base + at, (int)size, filtered);
        }
        return chunks;
    }

    /// <summary>
    /// True when a filter-pipeline message holds deflate (id 1) alone (<paramref name="deflate"/> true)
    /// or no filter; false for any other filter.
    /// </summary>
    private static bool DeflateOnly(ReadOnlySpan<byte> b, out bool deflate)
    {
        deflate = false;
        if (b.Length < 2 || b[0] is not (1 or 2)) return false;
        int filters = b[1];
        if (filters == 0) return true;
        if (filters != 1) return false;
        int at = b[0] == 1 ? 8 : 2;
        if (b.Length < at + 2) return false;
        deflate = BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) == 1;
        return deflate;
    }

    /// <summary>
    /// Reads chunk <paramref name="index"/> of <paramref name="dataset"/> into <paramref name="destination"/>
    /// (exactly <see cref="Hdf5ChunkedDataset.ChunkBytes"/> long), inflating it there when it was deflated;
    /// <paramref name="stored"/> is a scratch buffer for the stored bytes, grown as needed. Throws
    /// <see cref="InvalidDataException"/> when the chunk is cut off or does not inflate to its size.
    /// </summary>
    public void ReadChunk(Hdf5ChunkedDataset dataset, int index, Span<byte> destination, ref byte[]? stored)
    {
        var chunk = dataset.Chunks[index];
        if (destination.Length != dataset.ChunkBytes) throw new ArgumentException("destination is not one chunk long", nameof(destination));
        if (!chunk.Deflated)
        {
            if (chunk.Size != destination.Length) throw new InvalidDataException($"chunk {index} is stored unfiltered in {chunk.Size} bytes, not {destination.Length}");
            ReadAt(chunk.Address, destination, index);
            return;
        }
        if (stored is null || stored.Length < chunk.Size) stored = GC.AllocateUninitializedArray<byte>(Math.Max(chunk.Size, 64 * 1024));
        ReadAt(chunk.Address, stored.AsSpan(0, chunk.Size), index);
        using var source = new MemoryStream(stored, 0, chunk.Size, writable: false);
        using var inflate = new ZLibStream(source, CompressionMode.Decompress);
        int n = inflate.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (n < destination.Length)
            throw new InvalidDataException($"chunk {index} inflates to {n} bytes, not {destination.Length}");
        Span<byte> more = stackalloc byte[1];
        if (inflate.Read(more) != 0)
            throw new InvalidDataException($"chunk {index} inflates to more than {destination.Length} bytes");
    }

    private void ReadAt(long address, Span<byte> destination, int chunk)
    {
        int read = 0;
        while (read < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[read..], address + read);
            if (n <= 0) throw new InvalidDataException($"chunk {chunk} is cut off by the end of the file");
            read += n;
        }
    }

    /// <summary>Size and sign of a datatype message that is a little-endian integer of 1, 2, 4 or 8 bytes, using all its bits; null otherwise.</summary>
    private static (int Size, bool Signed)? IntegerType(ReadOnlySpan<byte> b)
    {
        if (b.Length < 12 || (b[0] & 0x0F) != 0) return null; // class 0: fixed point
        if ((b[1] & 0x01) != 0) return null; // big-endian
        int size = BinaryPrimitives.ReadInt32LittleEndian(b[4..]);
        if (size is not (1 or 2 or 4 or 8)) return null;
        if (BinaryPrimitives.ReadUInt16LittleEndian(b[8..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(b[10..]) != 8 * size) return null;
        return (size, (b[1] & 0x08) != 0);
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
            if (v2 && read > 1) end -= 4; // a continuation block's size counts its checksum; the first block's does not
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
