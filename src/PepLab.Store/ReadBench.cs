using System.Diagnostics;

namespace PepLab.Store;

/// <summary>One pass of <c>pep bench read</c>: seconds to open a trajectory file and to read every frame, and a checksum of the values read.</summary>
public sealed record ReadPass(int Pass, string Layout, int Frames, double OpenSeconds, double ReadSeconds, long Checksum)
{
    public double TotalSeconds => OpenSeconds + ReadSeconds;
    public double FramesPerSecond => Frames / Math.Max(ReadSeconds, 1e-9);
}

/// <summary>Time to open a trajectory file (either layout) and read all its frames (<c>pep bench read</c>).</summary>
public static class ReadBench
{
    /// <summary>Opens <paramref name="path"/> and reads every frame, <paramref name="block"/> frames per call; pass number <paramref name="pass"/>.</summary>
    public static ReadPass Pass(string path, int block, int pass)
    {
        var clock = Stopwatch.StartNew();
        using var source = FrameSources.Open(path);
        double open = clock.Elapsed.TotalSeconds;
        long checksum = 0;
        foreach (var (_, _, frame) in source.Frames(block: block))
            foreach (byte v in frame.Span) checksum += v;
        double total = clock.Elapsed.TotalSeconds;
        string layout = source is LegacyReader legacy ? (legacy.RolledCopies > 0 ? "legacy-rolled" : "legacy") : "peplab";
        return new ReadPass(pass, layout, source.Count, open, total - open, checksum);
    }
}
