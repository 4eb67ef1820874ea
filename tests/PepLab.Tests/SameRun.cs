using PepLab.Store;

namespace PepLab.Tests;

/// <summary>
/// Two trajectory files of one run: the same attributes, iterations and frames. Only their
/// provenance (who wrote them, when) may differ, so their bytes may too.
/// </summary>
public static class SameRun
{
    public static void Assert(string expected, string actual)
    {
        using var a = FrameSources.Open(expected);
        using var b = FrameSources.Open(actual);
        Xunit.Assert.Equal(a.Info with { Provenance = null }, b.Info with { Provenance = null });
        Xunit.Assert.Equal(a.Iterations, b.Iterations);
        var framesA = new byte[a.Count * a.Info.Nx * a.Info.Ny];
        var framesB = new byte[b.Count * b.Info.Nx * b.Info.Ny];
        a.ReadFrames(0, a.Count, framesA);
        b.ReadFrames(0, b.Count, framesB);
        Xunit.Assert.Equal(framesA, framesB);
    }
}
