using PepLab.Core;
using System.Globalization;
using PepLab.Store;

namespace PepLab.Tests;

public class PythonFloatTests
{
    [Theory]
    [InlineData(0.15, "0.15")]
    [InlineData(0.3, "0.3")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1e100, "1e+100")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(12.0, "12.0")]
    public void ReprMatchesPython(double x, string expected) => Assert.Equal(expected, PythonFloat.Repr(x));

    [Fact]
    public void ReprKeepsTheDigitsOfArangeDensities()
    {
        // np.arange(0, 0.55, 0.05)[3] and [6]: the values the original's glob skipped.
        Assert.Equal("0.15000000000000002", PythonFloat.Repr(3 * 0.05));
        Assert.Equal("0.30000000000000004", PythonFloat.Repr(0.1 + 0.2));
    }

    [Theory]
    [InlineData(0.0625, 3, "0.062")]   // exact tie: to even, as Python
    [InlineData(0.0725, 3, "0.072")]   // 0.0725 is stored just below the tie
    [InlineData(0.015625, 3, "0.016")]
    [InlineData(0.34, 3, "0.340")]
    [InlineData(0.5, 3, "0.500")]
    [InlineData(1.0, 3, "1.000")]
    [InlineData(0.0, 3, "0.000")]
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(0.0005, 3, "0.001")]  // 0.0005 is stored just above the tie
    [InlineData(1e-9, 3, "0.000")]
    public void FixedMatchesPython(double x, int decimals, string expected) => Assert.Equal(expected, PythonFloat.Fixed(x, decimals));

    [Fact]
    public void ReprAndFixedAgreeWithPythonOnManyValues()
    {
        string python = ExternalTools.Python("numpy");
        var rng = new Random(5);
        var values = new List<double>();
        for (int i = 0; i < 11; i++) values.Add(i * 0.05);                      // np.arange-like steps
        for (int i = 0; i < 10; i++) values.Add(Math.Pow(2, -6 + 5.0 * i / 9)); // logspace tumbles
        for (int i = 0; i < 400; i++) values.Add(rng.NextDouble());
        for (int i = 0; i < 200; i++) values.Add(Math.Round(rng.NextDouble(), rng.Next(1, 6)));
        for (int i = 0; i < 200; i++) values.Add(rng.NextDouble() * Math.Pow(10, rng.Next(-30, 30)));
        for (int i = 0; i < 100; i++) values.Add(rng.Next(0, 100000) / 4096.0); // many exact ties at 3 decimals
        var bits = string.Join(",", values.Select(v => BitConverter.DoubleToInt64Bits(v).ToString(CultureInfo.InvariantCulture)));
        string output = ExternalTools.RunPython(python, $$"""
            import struct
            for b in [{{bits}}]:
                x = struct.unpack('<d', struct.pack('<q', b))[0]
                print(repr(x), f"{x:.3f}", f"{x:.1f}")
            """);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(values.Count, lines.Length);
        for (int i = 0; i < values.Count; i++)
        {
            var expected = lines[i].Trim().Split(' ');
            Assert.Equal(expected[0], PythonFloat.Repr(values[i]));
            Assert.Equal(expected[1], PythonFloat.Fixed(values[i], 3));
            Assert.Equal(expected[2], PythonFloat.Fixed(values[i], 1));
        }
    }
}
