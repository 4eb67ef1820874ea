using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Learn.Tests;

/// <summary>Small data sets for the tests.</summary>
public static class TestData
{
    /// <summary>
    /// A tiny PEP data set written with <see cref="Recorder"/>: 32x32 at density 0.3, the given P_t
    /// values, <paramref name="replicas"/> runs each of <paramref name="frames"/> frames.
    /// </summary>
    public static string Tiny(string folder, double[] tumbles, int replicas = 2, int frames = 40, int side = 32, double density = 0.3)
    {
        Directory.CreateDirectory(folder);
        int i = 0;
        foreach (var t in tumbles)
            for (int r = 0; r < replicas; r++)
            {
                var p = new RunParameters
                {
                    Density = density, Tumble = t, Nx = side, Ny = side, Warmup = 100, Snapshots = frames,
                    Interval = Math.Max(1, Math.Min(RunParameters.DefaultInterval(t) ?? 1, 20)), Seed = (ulong)(1000 + i++),
                };
                Recorder.Record(p, System.IO.Path.Combine(folder, new RunName(p.Density, t, r).FileName));
            }
        return folder;
    }

    /// <summary>A run whose frame k of run id is filled so its first bytes name (run, k): [run, k % 256, k / 256, ...].</summary>
    public static RunEntry LabelledRun(int id, int frames, double tumble, out InMemoryFrameSource source, int nx = 8, int ny = 8)
    {
        var info = new TrajectoryInfo
        {
            Layout = TrajectoryLayout.PepLab, Density = 0.1, DensityRequested = 0.1, Tumble = tumble, Nx = nx, Ny = ny,
            Particles = 1, Frames = frames,
        };
        var data = new byte[frames * nx * ny];
        for (int k = 0; k < frames; k++)
        {
            data[k * nx * ny] = (byte)id;
            data[k * nx * ny + 1] = (byte)(k % 256);
            data[k * nx * ny + 2] = (byte)(k / 256);
        }
        source = new InMemoryFrameSource($"mem{id}", info, data);
        return new RunEntry { Id = id, Path = $"mem{id}", Info = source.Info, Frames = frames };
    }
}
