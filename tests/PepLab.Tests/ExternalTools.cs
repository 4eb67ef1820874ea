using System.Diagnostics;

namespace PepLab.Tests;

/// <summary>
/// Outside programs some tests need (Debian's python3 with h5py, numpy, pymbar; SLURM). Without
/// them a test is skipped with the package to install; with PEPLAB_REQUIRE_TOOLS=1 (set by
/// .ci/run) a missing tool fails the test instead.
/// </summary>
public static class ExternalTools
{
    public const string RequireVariable = "PEPLAB_REQUIRE_TOOLS";

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true";

    /// <summary>Path of a python3 that imports every module in <paramref name="modules"/>, or skip/fail naming the Debian packages.</summary>
    public static string Python(params string[] modules)
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            if (Imports(candidate, modules)) return candidate;
        }
        string packages = string.Join(" ", modules.Select(m => $"python3-{m}"));
        string message = $"needs python3 with {string.Join(", ", modules)}: apt-get install {packages}";
        if (Required) Assert.Fail($"{message} ({RequireVariable} is set, so a missing tool is a failure)");
        Assert.Skip(message);
        return "";
    }

    /// <summary>Skips (or, with <see cref="RequireVariable"/>, fails) unless a SLURM cluster answers with a usable node.</summary>
    public static void RequireSlurm()
    {
        bool up;
        try
        {
            var (code, output, _) = Run("sinfo", "-h -o %T", timeoutMs: 30_000);
            up = code == 0 && output.Split('\n').Any(s => s.Trim() is "idle" or "mixed" or "allocated");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            up = false;
        }
        if (up) return;
        const string message = "needs a running SLURM cluster: apt-get install slurmctld slurmd munge slurm-client, then sudo bash .ci/slurm-up";
        if (Required) Assert.Fail($"{message} ({RequireVariable} is set)");
        Assert.Skip(message);
    }

    /// <summary>Runs a program, returns (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) Run(string file, string arguments, string? workingDirectory = null, int timeoutMs = 120_000)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} ran over {timeoutMs} ms");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a python script given as text; fails the test on a non-zero exit.</summary>
    public static string RunPython(string python, string script, string? workingDirectory = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"peplab-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script);
        try
        {
            var (code, output, error) = Run(python, file, workingDirectory);
            Assert.True(code == 0, $"python failed ({code}):\n{error}\n{output}");
            return output;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static bool Imports(string python, string[] modules)
    {
        try
        {
            var (code, _, _) = Run(python, $"-c \"import {string.Join(", ", modules)}\"", timeoutMs: 60_000);
            return code == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }
}
