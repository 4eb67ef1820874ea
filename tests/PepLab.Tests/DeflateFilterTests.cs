using System.IO.Compression;
using PepLab.Store;
using PureHDF.Filters;

namespace PepLab.Tests;

public class DeflateFilterTests
{
    private static byte[] Chunk(int size, int seed)
    {
        var rng = new Random(seed);
        var data = new byte[size];
        for (int i = 0; i < size; i++) data[i] = rng.Next(8) == 0 ? (byte)rng.Next(1, 5) : (byte)0;
        return data;
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(4, 16 * 128 * 128)]
    [InlineData(9, 100)]
    public void CompressesAtTheLevelAndInflatesBack(int level, int size)
    {
        var filter = new ZlibDeflateFilter();
        var data = Chunk(size, level);
        var packed = filter.Filter(new FilterInfo(H5FilterFlags.None, [(uint)level], size, data.ToArray())).ToArray();
        Assert.True(packed.Length < size || size < 200);
        // Standard zlib: .NET's own reader agrees.
        using (var check = new ZLibStream(new MemoryStream(packed), CompressionMode.Decompress))
        {
            var back = new MemoryStream();
            check.CopyTo(back);
            Assert.Equal(data, back.ToArray());
        }
        var unpacked = filter.Filter(new FilterInfo(H5FilterFlags.Decompress, [(uint)level], size, packed));
        Assert.Equal(data, unpacked.ToArray());
    }

    [Theory]
    [InlineData(1000)] // announced larger than the data
    [InlineData(10)]   // announced smaller: the rest is still returned
    public void InflatesWhateverTheAnnouncedChunkSize(int announced)
    {
        var filter = new ZlibDeflateFilter();
        var data = Chunk(500, 3);
        var packed = filter.Filter(new FilterInfo(H5FilterFlags.None, [4], data.Length, data.ToArray())).ToArray();
        // Inflate from a slice of a larger array, as PureHDF hands buffers over.
        var framed = new byte[packed.Length + 7];
        packed.CopyTo(framed, 3);
        var unpacked = filter.Filter(new FilterInfo(H5FilterFlags.Decompress, [4], announced, framed.AsMemory(3, packed.Length)));
        Assert.Equal(data, unpacked.ToArray());
    }
}
