using PepLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>Device and thread settings of libtorch, in one place.</summary>
public static class TorchRuntime
{
    /// <summary>OpenMP spin count PepLab sets unless the user set <c>GOMP_SPINCOUNT</c> or <c>OMP_WAIT_POLICY</c>.</summary>
    public const string DefaultSpinCount = "20000";

    static TorchRuntime()
    {
        PrepareOpenMp();
        KeepFreedMemory();
    }

    /// <summary>Largest allocation glibc serves from its heap once <see cref="KeepFreedMemory"/> ran (bytes).</summary>
    public const int MmapThreshold = 256 << 20;

    /// <summary>Free memory at the top of glibc's heap kept for reuse instead of returned to the system (bytes).</summary>
    public const int TrimThreshold = 1 << 30;

    /// <summary>
    /// libtorch allocates and frees buffers of a few megabytes for every layer of every step (oneDNN's
    /// layout reorders, activations, gradients). glibc serves blocks that large with mmap and returns
    /// them when freed, so every step faults the same pages in again: a seed-deep training step spent
    /// a third of its time in oneDNN's reorders. Kept on glibc's heap instead, the pages are reused
    /// and training ran 1.15-1.5 times faster. Memory freed stays with the process, up to
    /// <see cref="TrimThreshold"/> above what it holds; allocations over <see cref="MmapThreshold"/>
    /// still go straight to the system. Skipped when the user set any MALLOC_ tunable, or off glibc.
    /// </summary>
    private static void KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        foreach (var name in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" })
            if (Environment.GetEnvironmentVariable(name) is not null) return;
        try
        {
            // M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3 (malloc.h).
            MallOpt(-3, MmapThreshold);
            MallOpt(-1, TrimThreshold);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>
    /// libtorch's OpenMP threads spin while they wait for work (by default for about 300,000
    /// iterations). When the cores are shared, with PepLab's loader thread or with other jobs, a
    /// spinning thread keeps the thread it waits for off the core and a training step can take ten
    /// times longer. A short spin (then sleep) keeps the speed on an idle machine and avoids the
    /// collapse on a busy one. libgomp reads its settings when libtorch loads, so this runs before
    /// any libtorch call (the static constructor of this class, which every entry point touches).
    /// </summary>
    private static void PrepareOpenMp()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (SpinCountToSet(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"), Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")) is not { } spin) return;
        try
        {
            if (SetEnv("GOMP_SPINCOUNT", spin, 0) == 0) Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", spin);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>
    /// The <c>GOMP_SPINCOUNT</c> PepLab sets given the user's <c>GOMP_SPINCOUNT</c> and
    /// <c>OMP_WAIT_POLICY</c> (null when unset): <see cref="DefaultSpinCount"/> when neither is set,
    /// else null (the user chose; PepLab sets nothing).
    /// </summary>
    public static string? SpinCountToSet(string? spinCount, string? waitPolicy) =>
        spinCount is null && waitPolicy is null ? DefaultSpinCount : null;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string name,
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>Makes sure the OpenMP and memory settings are in place (call before the first libtorch call).</summary>
    public static void Initialise()
    {
    }
    /// <summary>
    /// The device for <c>--device auto|cpu|cuda</c>: auto takes CUDA when this build's libtorch
    /// has it and a GPU is present, else the CPU.
    /// </summary>
    public static Device ResolveDevice(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        switch (n)
        {
            case "cpu":
                return CPU;
            case "auto":
                return CudaAvailable() ? CUDA : CPU;
            case "cuda":
            case "gpu":
                if (!CudaAvailable())
                    throw new PepLabInputException("device",
                        "cuda is not available: this build uses the CPU libtorch or no NVIDIA GPU is visible (build with -p:TorchBackend=cuda on a machine with a GPU; see docs/troubleshooting.md)");
                return CUDA;
            default:
                if (n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), out int index))
                {
                    if (!CudaAvailable() || index >= cuda.device_count())
                        throw new PepLabInputException("device", $"{name} is not available");
                    return new Device(DeviceType.CUDA, index);
                }
                throw new PepLabInputException("device", $"unknown device '{name}' (auto, cpu, cuda)");
        }
    }

    private static bool CudaAvailable()
    {
        try
        {
            return cuda.is_available();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            return false;
        }
    }

    /// <summary>Sets libtorch's intra-op threads (0 = all cores).</summary>
    public static int SetThreads(int threads)
    {
        int n = CheckThreads(threads);
        set_num_threads(n);
        return n;
    }

    /// <summary>The libtorch threads <paramref name="threads"/> asks for (0 = all cores); refuses a negative count.</summary>
    public static int CheckThreads(int threads)
    {
        if (threads < 0) throw new PepLabInputException("threads", $"must be 0 (all cores) or a positive count (got {threads})");
        return threads == 0 ? Environment.ProcessorCount : threads;
    }

    /// <summary>Seeds libtorch's generator (weight initialisation, dropout).</summary>
    public static void Seed(ulong seed) => manual_seed(unchecked((long)(seed & long.MaxValue)));

    /// <summary>A uint8 (n, nx, ny) tensor of the batch's frames on <paramref name="device"/>.</summary>
    public static Tensor FramesTensor(Batch batch, int nx, int ny, Device device)
    {
        var t = empty([batch.Count, nx, ny], ScalarType.Byte);
        t.bytes = batch.Frames.AsSpan(0, batch.Count * batch.FrameSize);
        if (device.type == DeviceType.CPU) return t;
        using (t) return t.to(device);
    }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";
}
