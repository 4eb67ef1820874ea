using PepLab.Core;
using PepLab.Simulate;

namespace PepLab.Store;

/// <summary>Simulates a run straight into a trajectory file (simulation and compression overlap).</summary>
public static class Recorder
{
    /// <summary>
    /// Runs <paramref name="parameters"/> and writes <paramref name="path"/>. On any failure or
    /// cancellation the partial file is removed and nothing is left under the final name.
    /// </summary>
    /// <returns>The metadata written.</returns>
    public static TrajectoryInfo Record(
        RunParameters parameters,
        string path,
        bool overwrite = false,
        ReadOnlyMemory<byte>? initialFrame = null,
        Action<RunProgress>? progress = null,
        CancellationToken cancellation = default,
        int compressionLevel = TrajectoryFormat.DefaultCompressionLevel)
    {
        parameters.Validate();
        int? particles = null;
        if (initialFrame is { } f)
        {
            int n = 0;
            foreach (var v in f.Span) if (v != 0) n++;
            particles = n;
        }
        var info = TrajectoryInfo.FromRun(parameters, particles);
        using var writer = TrajectoryWriter.Create(path, info, overwrite, compressionLevel);
        using (var background = new BackgroundFrameSink(writer))
        {
            Run.Execute(parameters, background, initialFrame, progress, cancellation);
            background.Complete();
        }
        writer.Complete();
        return info;
    }
}
