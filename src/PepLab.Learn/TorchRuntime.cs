using PepLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>Device and thread settings of libtorch, in one place.</summary>
public static class TorchRuntime
{
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
                    throw new PepLabInputException("--device",
                        "cuda is not available: this build uses the CPU libtorch or no NVIDIA GPU is visible (build with -p:TorchBackend=cuda on a machine with a GPU; see docs/troubleshooting.md)");
                return CUDA;
            default:
                if (n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), out int index))
                {
                    if (!CudaAvailable() || index >= cuda.device_count())
                        throw new PepLabInputException("--device", $"{name} is not available");
                    return new Device(DeviceType.CUDA, index);
                }
                throw new PepLabInputException("--device", $"unknown device '{name}' (auto, cpu, cuda)");
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
        if (threads < 0) throw new PepLabInputException("--threads", $"must be 0 (all cores) or more (got {threads})");
        int n = threads == 0 ? Environment.ProcessorCount : threads;
        set_num_threads(n);
        return n;
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
