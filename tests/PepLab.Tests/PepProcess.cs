using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PepLab.Tests;

/// <summary>A <c>pep</c> child process running in the background, to be signalled (SIGTERM, SIGKILL) as a batch system would.</summary>
public sealed class PepProcess : IDisposable
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly Task<string> _out, _err;

    private PepProcess(Process process)
    {
        _process = process;
        _out = process.StandardOutput.ReadToEndAsync();
        _err = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts pep with <paramref name="args"/> (each passed as one argument) in <paramref name="workingDirectory"/>.</summary>
    public static PepProcess Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(PepCli.Host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(PepCli.Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return new PepProcess(Process.Start(psi)!);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Sends a POSIX signal to the process.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the end; the exit code (128 + the signal when a signal ended it) and the output.</summary>
    public (int Code, string Out, string Err) Wait(int timeoutMs = 120_000)
    {
        if (!_process.WaitForExit(timeoutMs))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pep ran over {timeoutMs} ms");
        }
        _process.WaitForExit();
        return (_process.ExitCode, _out.Result, _err.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
