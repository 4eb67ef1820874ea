using System.Text;
using PepLab.Core;
using PepLab.Store;
using PepLab.Simulate;

namespace PepLab.Tests;

/// <summary>
/// The narrow group-link reader against h5py: the names and header addresses it lists from
/// old-style groups, new-style groups declined (and read through PureHDF), damaged link storage
/// refused in one line naming the file.
/// </summary>
public class Hdf5LinksTests
{
    /// <summary>
    /// Writes with h5py: an old-style root large enough for a two-level B-tree (1,500 datasets, a
    /// group, a soft link), the same with a non-ASCII name added (which makes HDF5 convert the
    /// group to new-style), the same as a new-style root (track_order=True, and libver='latest'),
    /// and a small rolled original-layout file. For each file h5py's names and
    /// header addresses go to NAME.links (one "name\taddress" per line, UTF-8; 0 for a soft link).
    /// </summary>
    private static void WriteWithH5py(string folder)
    {
        string python = ExternalTools.Python("h5py", "numpy");
        ExternalTools.RunPython(python, """
            import h5py, numpy as np

            def fill(f, utf8=True):
                for i in range(1500):
                    f.create_dataset(f"conf_{i}", data=np.full((2, 3), i % 5, dtype=np.uint8))
                f.create_group("group")
                f["a name, with: punctuation"] = np.int32(1)
                f["soft"] = h5py.SoftLink("/conf_1")
                if utf8:
                    f["na\u00efve \u00e9t\u00e9"] = np.int32(1)

            def links(name):
                with h5py.File(name, "r") as f, open(name + ".links", "w", encoding="utf-8") as out:
                    for k in f:
                        soft = isinstance(f.get(k, getlink=True), h5py.SoftLink)
                        out.write(f"{k}\t{0 if soft else h5py.h5o.get_info(f[k].id).addr}\n")

            with h5py.File("old.h5", "w") as f: fill(f, utf8=False)
            with h5py.File("converted.h5", "w") as f: fill(f)
            with h5py.File("ordered.h5", "w", track_order=True) as f: fill(f)
            with h5py.File("latest.h5", "w", libver="latest") as f: fill(f)
            rng = np.random.default_rng(5)
            with h5py.File("dataset_tumble_0.100_0.15.h5", "w") as f:
                for it in range(0, 60, 3):
                    img = np.where(rng.random((16, 24)) < 0.2, rng.integers(1, 5, (16, 24)), 0).astype(np.int32)
                    f.create_dataset(f"conf_{it}", data=img)
                    for r in range(0, 130, 10):
                        f.create_dataset(f"conf_{it}_{r}", data=np.roll(img, (r, r), axis=(0, 1)).astype(np.uint8))
            for name in ["old.h5", "converted.h5", "ordered.h5", "latest.h5", "dataset_tumble_0.100_0.15.h5"]:
                links(name)
            """, folder);
    }

    private static List<(string Name, long Address)> H5pyLinks(string file) =>
        File.ReadAllLines(file + ".links", Encoding.UTF8)
            .Select(l => l.Split('\t'))
            .Select(p => (p[0], long.Parse(p[1])))
            .ToList();

    [Fact]
    public void ListsExactlyH5pysNamesAndAddressesOfOldStyleGroups()
    {
        using var dir = new TempDir();
        WriteWithH5py(dir.Path);
        foreach (var name in new[] { "old.h5", "dataset_tumble_0.100_0.15.h5" })
        {
            string path = dir.File(name);
            using var links = Hdf5Links.Open(path);
            var listed = links.TryListRoot();
            Assert.NotNull(listed);
            var expected = H5pyLinks(path).Where(l => l.Address != 0).OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
            var soft = H5pyLinks(path).Where(l => l.Address == 0).Select(l => l.Name).ToList();
            var actual = listed.Where(l => !soft.Contains(l.Name)).Select(l => (l.Name, l.ObjectHeader)).OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
            // a soft link is listed with no header address; PureHDF resolves it if it is ever read
            Assert.Equal(soft, listed.Where(l => l.ObjectHeader < 0).Select(l => l.Name).ToList());
        }
        // 1,500 links need more than one B-tree node: the walk goes down a level.
        var bytes = File.ReadAllBytes(dir.File("old.h5"));
        Assert.True(Occurrences(bytes, "TREE"u8) > 1);
    }

    /// <summary>Groups of 1,500 links are new-style with dense storage (a fractal heap) when h5py makes them new-style.</summary>
    [Fact]
    public void DeclinesNewStyleGroupsWhichPureHdfStillReads()
    {
        using var dir = new TempDir();
        WriteWithH5py(dir.Path);
        // converted.h5 still caches its old, stale symbol table in the superblock
        foreach (var name in new[] { "converted.h5", "ordered.h5", "latest.h5" })
        {
            string path = dir.File(name);
            using (var links = Hdf5Links.Open(path))
                Assert.Null(links.TryListRoot());
            // the fallback lists the same names through PureHDF
            using var file = PureHDF.H5File.OpenRead(path);
            Assert.Equal(H5pyLinks(path).Select(l => l.Name).Order(StringComparer.Ordinal),
                file.Children().Select(c => c.Name).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void ListsNewStyleGroupsThatKeepTheirLinksInTheHeader()
    {
        string python = ExternalTools.Python("h5py", "numpy");
        using var dir = new TempDir();
        // PureHDF keeps every link in the group's header, however many (PepLab's own files and its legacy exports)
        var file = new PureHDF.H5File();
        for (int i = 0; i < 300; i++)
        {
            var frame = new byte[4, 6];
            frame[1, 2] = (byte)(i % 5);
            file[$"conf_{i}"] = frame;
        }
        file["group"] = new PureHDF.H5Group();
        file.Write(dir.File("purehdf.h5"));
        ExternalTools.RunPython(python, """
            import h5py, numpy as np
            with h5py.File("small-latest.h5", "w", libver="latest") as f:
                for i in range(5):
                    f.create_dataset(f"conf_{i}", data=np.full((2, 3), i, dtype=np.uint8))
                f.create_group("group")
                f["soft"] = h5py.SoftLink("/conf_1")
                f["na\u00efve"] = np.int32(1)
            for name in ["purehdf.h5", "small-latest.h5"]:
                with h5py.File(name, "r") as f, open(name + ".links", "w", encoding="utf-8") as out:
                    for k in f:
                        soft = isinstance(f.get(k, getlink=True), h5py.SoftLink)
                        out.write(f"{k}\t{0 if soft else h5py.h5o.get_info(f[k].id).addr}\n")
            """, dir.Path);
        foreach (var name in new[] { "purehdf.h5", "small-latest.h5" })
        {
            string path = dir.File(name);
            using var links = Hdf5Links.Open(path);
            var listed = links.TryListRoot();
            Assert.NotNull(listed);
            var expected = H5pyLinks(path).Select(l => (l.Name, l.Address == 0 ? -1 : l.Address)).OrderBy(l => l.Name, StringComparer.Ordinal);
            Assert.Equal(expected, listed.Select(l => (l.Name, l.ObjectHeader)).OrderBy(l => l.Name, StringComparer.Ordinal));
            Assert.Equal(H5pyLinks(path).First(l => l.Name == "conf_3").Address, links.TryFindRootLink("conf_3"));
            Assert.Null(links.TryFindRootLink("soft")); // not a hard link
        }
        // a legacy file PureHDF wrote is read through the listing, frames as h5py holds them
        File.Move(dir.File("purehdf.h5"), dir.File("dataset_tumble_0.100_0.15.h5"));
        using var source = FrameSources.Open(dir.File("dataset_tumble_0.100_0.15.h5"));
        Assert.Equal(300, source.Count);
    }

    [Fact]
    public void PlainDatasetsAreDescribedFromTheirHeaders()
    {
        using var dir = new TempDir();
        WriteWithH5py(dir.Path);
        string path = dir.File("old.h5");
        using var links = Hdf5Links.Open(path);
        var listed = links.TryListRoot()!.ToDictionary(l => l.Name, l => l.ObjectHeader);
        var plain = links.TryDescribePlainDataset(listed["conf_7"]);
        Assert.NotNull(plain);
        Assert.Equal(new ulong[] { 2, 3 }, plain.Dims);
        Assert.Equal(1, plain.ElementSize);
        Assert.False(plain.Signed);
        var values = new byte[6];
        links.Read(plain, values);
        Assert.All(values, v => Assert.Equal(7 % 5, v));
        Assert.Null(links.TryDescribePlainDataset(listed["group"])); // a group is not a dataset
    }

    [Fact]
    public void DamagedLinkStorageIsRefusedInOneLineNamingTheFile()
    {
        using var dir = new TempDir();
        WriteWithH5py(dir.Path);
        var whole = File.ReadAllBytes(dir.File("dataset_tumble_0.100_0.15.h5"));
        // h5py's superblock (version 0) caches the root's symbol table: B-tree at 80, local heap at 88.
        // The first child of a B-tree node follows its 24-byte head and key 0; going down the first
        // children from the root ends at a live symbol-table node (files also hold stale copies of
        // nodes, so signatures are not searched for).
        long btree = BitConverter.ToInt64(whole, 80), heap = BitConverter.ToInt64(whole, 88);
        long node = btree;
        Assert.Equal("TREE"u8.ToArray(), whole[(int)btree..(int)(btree + 4)]);
        Assert.True(whole[btree + 5] > 0); // 280 links take two levels (8 links per symbol-table node)
        while (whole[node + 5] > 0) node = BitConverter.ToInt64(whole, (int)node + 24 + 8);
        long snod = BitConverter.ToInt64(whole, (int)node + 24 + 8);
        void Refused(string density, Action<byte[]> damage, string expected)
        {
            var bytes = (byte[])whole.Clone();
            damage(bytes);
            string path = dir.File($"dataset_tumble_0.100_{density}.h5");
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<BadFileException>(() => FrameSources.Open(path).Dispose());
            Assert.Contains(path, e.Message);
            Assert.Contains("link storage is damaged", e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Refused("0.2", b => b[snod] = (byte)'X', "no symbol-table node signature");
        Refused("0.25", b => b[heap] = (byte)'X', "no local heap signature");
        Refused("0.3", b => b[btree] = (byte)'X', "no B-tree node signature");
        Refused("0.35", b => BitConverter.GetBytes(long.MaxValue / 2).CopyTo(b, snod + 8 + 8), "outside the file"); // first entry's header
        Refused("0.4", b => BitConverter.GetBytes((long)b.Length).CopyTo(b, btree + 24 + 8), "outside the file"); // first child node
        Refused("0.45", b => BitConverter.GetBytes(1L << 40).CopyTo(b, snod + 8), "outside the local heap"); // first entry's name

        // the undamaged file reads
        using var source = FrameSources.Open(dir.File("dataset_tumble_0.100_0.15.h5"));
        Assert.Equal(20, source.Count);
        Assert.Equal(13 * 20, Assert.IsType<LegacyReader>(source).RolledCopies);
    }

    [Fact]
    public void ChunkIndexesAreReadExactlyAsH5pyReportsThemAndOthersDeclined()
    {
        string python = ExternalTools.Python("h5py", "numpy");
        using var dir = new TempDir();
        var rng = new Random(2);
        using (var writer = TrajectoryWriter.Create(dir.File("peplab.h5"), TrajectoryInfo.FromRun(new RunParameters
        {
            Density = 0.2, Tumble = 0.05, Nx = 64, Ny = 64, Snapshots = 150, Seed = 3,
        })))
        {
            var frame = new byte[64 * 64];
            for (int k = 0; k < 150; k++)
            {
                for (int i = 0; i < frame.Length; i++) frame[i] = (byte)(rng.Next(5) == 0 ? rng.Next(1, 5) : 0);
                writer.Write(k, k, frame);
            }
            writer.Complete();
        }
        // For each file: the dataset's header address, then one "offset size mask" line per chunk
        // (h5py's own account), and its values as raw bytes.
        ExternalTools.RunPython(python, """
            import h5py, numpy as np
            rng = np.random.default_rng(4)
            data = lambda shape: np.where(rng.random(shape) < 0.2, rng.integers(1, 5, shape), 0).astype(np.uint8)
            with h5py.File("latest.h5", "w", libver="latest") as f:
                f.create_dataset("frames", data=data((300, 16, 16)), chunks=(16, 16, 16), compression="gzip", compression_opts=4)
            with h5py.File("unfiltered.h5", "w", libver="latest") as f:
                f.create_dataset("frames", data=data((40, 8, 8)), chunks=(16, 8, 8))
            with h5py.File("single.h5", "w", libver="latest") as f:
                f.create_dataset("frames", data=data((10, 16, 16)), chunks=(10, 16, 16), compression="gzip")
            with h5py.File("paged.h5", "w", libver="latest") as f:
                f.create_dataset("frames", data=data((2000, 4, 4)), chunks=(1, 4, 4), compression="gzip")
            with h5py.File("btree.h5", "w") as f:
                f.create_dataset("frames", data=data((40, 8, 8)), chunks=(16, 8, 8), compression="gzip")
            with h5py.File("shuffle.h5", "w", libver="latest") as f:
                f.create_dataset("frames", data=data((40, 8, 8)), chunks=(16, 8, 8), compression="gzip", shuffle=True)
            with h5py.File("growing.h5", "w", libver="latest") as f:
                f.create_dataset("frames", data=data((40, 8, 8)), chunks=(16, 8, 8), compression="gzip", maxshape=(None, 8, 8))
            for name in ["peplab.h5", "latest.h5", "unfiltered.h5", "single.h5", "paged.h5", "btree.h5", "shuffle.h5", "growing.h5"]:
                with h5py.File(name, "r") as f, open(name + ".chunks", "w") as out:
                    d = f["frames"]
                    out.write(f"{h5py.h5o.get_info(d.id).addr}\n")
                    for i in range(d.id.get_num_chunks()):
                        c = d.id.get_chunk_info(i)
                        out.write(f"{c.byte_offset} {c.size} {c.filter_mask}\n")
                    open(name + ".raw", "wb").write(d[...].tobytes())
            """, dir.Path);
        foreach (var name in new[] { "peplab.h5", "latest.h5", "unfiltered.h5", "single.h5" })
        {
            var lines = File.ReadAllLines(dir.File(name + ".chunks"));
            using var links = Hdf5Links.Open(dir.File(name));
            long? header = links.TryFindRootLink("frames");
            Assert.Equal(long.Parse(lines[0]), header);
            Assert.Null(links.TryFindRootLink("no such link"));
            var dataset = links.TryDescribeChunkedDataset(header!.Value);
            Assert.NotNull(dataset);
            bool filtered = name != "unfiltered.h5";
            var expected = lines.Skip(1).Select(l => l.Split(' ')).Select(p => new Hdf5Chunk(long.Parse(p[0]), int.Parse(p[1]), filtered && p[2] == "0")).ToList();
            Assert.Equal(expected, dataset.Chunks);
            // every chunk read through the index holds h5py's values
            var raw = File.ReadAllBytes(dir.File(name + ".raw"));
            var chunk = new byte[dataset.ChunkBytes];
            byte[]? stored = null;
            for (int c = 0; c < dataset.Chunks.Length; c++)
            {
                links.ReadChunk(dataset, c, chunk, ref stored);
                int from = c * dataset.ChunkBytes, length = Math.Min(dataset.ChunkBytes, raw.Length - from);
                Assert.Equal(raw.AsSpan(from, length).ToArray(), chunk.AsSpan(0, length).ToArray());
            }
        }
        // a paged fixed array (over 1,024 chunks), a version-1 B-tree, another filter, an extensible array: PureHDF reads them
        foreach (var name in new[] { "paged.h5", "btree.h5", "shuffle.h5", "growing.h5" })
        {
            using var links = Hdf5Links.Open(dir.File(name));
            long? header = links.TryFindRootLink("frames");
            Assert.Equal(long.Parse(File.ReadLines(dir.File(name + ".chunks")).First()), header);
            Assert.Null(links.TryDescribeChunkedDataset(header!.Value));
        }
    }

    private static int Occurrences(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        int count = 0;
        for (int at; (at = haystack.IndexOf(needle)) >= 0; haystack = haystack[(at + needle.Length)..]) count++;
        return count;
    }
}
