using PepLab.Core;
using PepLab.Store;

namespace PepLab.Simulate;

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
        using var writer = Begin(parameters, path, overwrite, initialFrame, compressionLevel);
        Finish(writer, parameters, initialFrame, progress, cancellation);
        return writer.Info;
    }

    /// <summary>
    /// Validates <paramref name="parameters"/> and opens the file of the run (first half of
    /// <see cref="Record"/>): from here on the output is this process's, and another process writing
    /// the same path meanwhile is refused with <see cref="OutputBusyException"/>.
    /// </summary>
    public static TrajectoryWriter Begin(RunParameters parameters, string path, bool overwrite = false,
        ReadOnlyMemory<byte>? initialFrame = null, int compressionLevel = TrajectoryFormat.DefaultCompressionLevel)
    {
        parameters.Validate();
        int? particles = null;
        if (initialFrame is { } f)
        {
            int n = 0;
            foreach (var v in f.Span) if (v != 0) n++;
            particles = n;
        }
        return TrajectoryWriter.Create(path, TrajectoryInfo.FromRun(parameters, particles), overwrite, compressionLevel);
    }

    /// <summary>Simulates the run into a writer from <see cref="Begin"/> and completes the file (second half of <see cref="Record"/>).</summary>
    public static void Finish(TrajectoryWriter writer, RunParameters parameters, ReadOnlyMemory<byte>? initialFrame = null,
        Action<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        using (var background = new BackgroundFrameSink(writer))
        {
            RunSchedule.Execute(parameters, background, initialFrame, progress, cancellation);
            background.Complete();
        }
        writer.Complete();
    }
}
