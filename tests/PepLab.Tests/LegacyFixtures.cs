using System.Diagnostics;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary>Fixtures of the compatibility tests: <c>pep</c> run with an argument list (no quoting), small trajectories, all frames of a file.</summary>
public static class LegacyFixtures
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "pep.dll");

    /// <summary>Runs <c>pep ARGS</c>; returns (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) RunPep(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"pep {string.Join(' ', args)} ran over 2 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A small PepLab trajectory (nx != ny, few frames) written with <see cref="Recorder"/>.</summary>
    public static TrajectoryInfo Simulate(string path, double density = 0.15, double tumble = 0.1, int nx = 12, int ny = 20,
        int snapshots = 12, int? interval = null, ulong seed = 7) =>
        Recorder.Record(new RunParameters
        {
            Density = density,
            Tumble = tumble,
            Nx = nx,
            Ny = ny,
            Snapshots = snapshots,
            Warmup = 3,
            Speed = 2,
            Interval = interval,
            Seed = seed,
        }, path);

    /// <summary>All frames of a file (either layout) as one array, in frame order.</summary>
    public static byte[] AllFrames(IFrameSource source)
    {
        var all = new byte[source.Count * source.Info.Nx * source.Info.Ny];
        source.ReadFrames(0, source.Count, all);
        return all;
    }
}
