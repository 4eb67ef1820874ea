using PepLab.Core;
using PureHDF;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// An HDF5 file being written under its <see cref="AtomicFile"/>'s temporary name: the lifecycle
/// every HDF5 writer of PepLab shares. <see cref="Commit"/> closes it and gives it its final name;
/// disposing it first deletes it.
/// </summary>
internal sealed class H5Output : IDisposable
{
    private readonly AtomicFile _file;
    private readonly string _subject;

    /// <summary>
    /// Claims <paramref name="path"/> (a full path) for a new file and runs <paramref name="start"/>
    /// (a writer's constructor) on it. Refuses a folder, an existing file unless
    /// <paramref name="overwrite"/>, and a folder that cannot be written with
    /// <see cref="PepLabInputException"/>; another process writing the same file with
    /// <see cref="OutputBusyException"/>. When <paramref name="start"/> fails the claim is released.
    /// Errors name <paramref name="subject"/>, the parameter that gave the path.
    /// </summary>
    public static T Create<T>(string path, bool overwrite, Func<AtomicFile, T> start, string subject = "out")
    {
        if (Directory.Exists(path)) throw new PepLabInputException(subject, $"'{path}' is a folder, not a file");
        if (File.Exists(path) && !overwrite)
            throw new PepLabInputException(subject, $"'{path}' exists (use --overwrite to replace it)");
        var output = AtomicFile.Create(path, subject);
        try
        {
            return start(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Dispose();
            throw new PepLabInputException(subject, $"cannot write '{path}': {e.Message}");
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Starts writing <paramref name="layout"/> into <paramref name="file"/>'s stream; errors name <paramref name="subject"/>.</summary>
    public H5Output(AtomicFile file, H5File layout, string subject = "out")
    {
        _file = file;
        _subject = subject;
        // PureHDF leaves a stream it was given open; the AtomicFile owns (and closes) it.
        Writer = layout.BeginWrite(file.Stream);
    }

    /// <summary>The PureHDF writer of the datasets.</summary>
    public H5NativeWriter Writer { get; }

    /// <summary>True once committed or abandoned.</summary>
    public bool Done { get; private set; }

    /// <summary>Final path of the file.</summary>
    public string Path => _file.Path;

    /// <summary>Temporary path written until <see cref="Commit"/>.</summary>
    public string TemporaryPath => _file.TemporaryPath;

    /// <summary>Closes the HDF5 writer and gives the file its final name.</summary>
    public void Commit()
    {
        Writer.Dispose();
        Done = true;
        _file.CommitOrExplain(_subject);
    }

    /// <summary>Closes the writer; an uncommitted file is deleted.</summary>
    public void Dispose()
    {
        if (Done) return;
        Done = true;
        try { Writer.Dispose(); } catch (Exception) { /* the temporary file is deleted below */ }
        _file.Dispose();
    }
}
