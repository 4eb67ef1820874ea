using PepLab.Store;

namespace PepLab.Tests;

public class LegacyFormatTests
{
    [Fact]
    public void FileNamesAreTheOriginals()
    {
        Assert.Equal("dataset_tumble_0.016_0.15.h5", LegacyFormat.FileName(0.015625, 0.15));
        Assert.Equal("dataset_tumble_0.340_0.15000000000000002.h5", LegacyFormat.FileName(Math.Pow(2, -6 + 5.0 * 8 / 9), 3 * 0.05));
        Assert.Equal("dataset_tumble_0.500_1.0.h5", LegacyFormat.FileName(0.5, 1.0));
        Assert.Equal("dataset_tumble_0.073_0.3.h5", LegacyFormat.FileName(Math.Pow(2, -6 + 5.0 * 4 / 9), 0.3));
    }

    [Fact]
    public void FileNamesParseNumerically()
    {
        Assert.True(LegacyFormat.TryParseFileName("/data/no-roll/dataset_tumble_0.016_0.15.h5", out double t, out double d));
        Assert.Equal(0.016, t);
        Assert.Equal(0.15, d);
        Assert.True(LegacyFormat.TryParseFileName("dataset_tumble_0.034_0.15000000000000002.h5", out _, out double d2));
        Assert.Equal(3 * 0.05, d2);
        Assert.NotEqual(0.15, d2); // two different densities: matched by number, never by text
        Assert.True(LegacyFormat.TryParseFileName("dataset_tumble_0.500_1e-05.h5", out _, out double d3));
        Assert.Equal(1e-5, d3);

        foreach (var bad in new[]
                 {
                     "dataset_tumble_0.016.h5", "dataset_tumble__0.15.h5", "dataset_tumble_x_0.15.h5", "dataset_tumble_0.016_0.15.hdf5",
                     "tumble_0.016_0.15.h5", "dataset_tumble_0.016_0.15_extra.h5", "dataset_tumble_1.500_0.15.h5", "dataset_tumble_0.016_1.5.h5",
                     "dataset_tumble_0.016_0.0.h5", "dataset_tumble_0.016_nan.h5", "dataset_tumble_0.016_-0.15.h5",
                 })
            Assert.False(LegacyFormat.TryParseFileName(bad, out _, out _), bad);
    }

    [Fact]
    public void DatasetNamesSplitFramesFromRolledCopies()
    {
        Assert.True(LegacyFormat.TryParseDatasetName("conf_130", out long it, out int? roll));
        Assert.Equal(130, it);
        Assert.Null(roll);
        Assert.True(LegacyFormat.TryParseDatasetName("conf_130_120", out it, out roll));
        Assert.Equal(130, it);
        Assert.Equal(120, roll);
        foreach (var bad in new[] { "conf_", "conf_x", "conf_1_", "conf_1_2_3", "conf_-1", "frames", "Conf_1", "conf_1a", "conf_ 1" })
            Assert.False(LegacyFormat.TryParseDatasetName(bad, out _, out _), bad);
        Assert.Equal("conf_65", LegacyFormat.FrameName(65));
        Assert.Equal("conf_65_10", LegacyFormat.RollName(65, 10));
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120], LegacyFormat.Rolls);
    }

    [Theory]
    [InlineData(3, 5, 0)]
    [InlineData(3, 5, 1)]
    [InlineData(3, 5, 4)]
    [InlineData(4, 7, 10)]
    [InlineData(12, 20, 120)]
    public void RollShiftsBothAxesLikeNumpy(int nx, int ny, int shift)
    {
        var frame = new byte[nx * ny];
        for (int i = 0; i < frame.Length; i++) frame[i] = (byte)(i % 251);
        var rolled = new byte[nx * ny];
        LegacyFormat.Roll(frame, nx, ny, shift, rolled);
        // numpy.roll(a, (s, s), axis=(0, 1)): out[(i + s) % nx, (j + s) % ny] = a[i, j]
        for (int i = 0; i < nx; i++)
            for (int j = 0; j < ny; j++)
                Assert.Equal(frame[i * ny + j], rolled[((i + shift) % nx) * ny + (j + shift) % ny]);
    }

    [Fact]
    public void RecordRowsAreWhatPandasWrites()
    {
        Assert.Equal("0,0.015625,64000,0.15,10", LegacyFormat.RecordsRow(0, 0.015625, 64000, 0.15, 10));
        Assert.Equal("3,0.5,,0.30000000000000004,", LegacyFormat.RecordsRow(3, 0.5, null, 0.1 + 0.2, null));
    }
}
