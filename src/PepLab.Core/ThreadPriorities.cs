using System.Runtime.InteropServices;

namespace PepLab.Core;

/// <summary>
/// Lowers the CPU priority of the calling thread only (its Linux nice value; other systems: no
/// change). PepLab uses it for work that should fill idle cores but never displace the thread on
/// the critical path: the frame loader while libtorch trains, and every run of a sweep except the
/// longest one. An unprivileged thread cannot raise its priority again, so call it only on a
/// thread PepLab owns and that ends with the work (threads it creates inherit the value).
/// </summary>
public static class ThreadPriorities
{
    /// <summary>The lowest priority (nice 19): the thread runs only on a core nothing else wants.</summary>
    public const int Lowest = 19;

    /// <summary>Sets the calling thread's nice value to <paramref name="nice"/> (0..19); false where that is not possible.</summary>
    public static bool LowerCurrentThread(int nice = Lowest)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nice);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nice, Lowest);
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return SetPriority(0, GetTid(), nice) == 0; // PRIO_PROCESS with a thread id: this thread only
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's nice value (Linux), or null.</summary>
    public static int? CurrentNice()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            Marshal.SetLastPInvokeError(0);
            int value = GetPriority(0, GetTid());
            return value == -1 && Marshal.GetLastPInvokeError() != 0 ? null : value;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static extern int GetPriority(int which, int who);
}
