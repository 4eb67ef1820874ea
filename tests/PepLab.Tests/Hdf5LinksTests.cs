using System.Text;
using PepLab.Core;
using PepLab.Store;

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

    private static int Occurrences(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        int count = 0;
        for (int at; (at = haystack.IndexOf(needle)) >= 0; haystack = haystack[(at + needle.Length)..]) count++;
        return count;
    }
}
