namespace PepLab.Core;

/// <summary>
/// A lock file held by one process for as long as it works on a folder (for example a training
/// writing its model folder). The lock is an exclusive open of the file (<see cref="FileShare.None"/>,
/// an advisory <c>flock</c> on Linux and macOS), which the operating system drops when the process
/// dies, SIGKILL included; the file itself stays (deleting it could let two processes lock two
/// different files of the same name).
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream _stream;

    private FolderLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Takes the lock file <paramref name="path"/> (its folder must exist), or fails within half a second with
    /// <see cref="PepLabInputException"/> naming <paramref name="subject"/> and saying that
    /// <paramref name="what"/> is in progress when another live process holds it.
    /// </summary>
    public static FolderLock Acquire(string path, string subject, string what)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            return new FolderLock(full, ExclusiveOpen.Retrying(() => new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None),
                e => e is IOException io && ExclusiveOpen.IsConflict(io, full)));
        }
        catch (IOException e) when (ExclusiveOpen.IsConflict(e, full))
        {
            throw new PepLabInputException(subject, $"is in use: another process is {what} (it holds '{System.IO.Path.GetFileName(full)}')");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PepLabInputException(subject, $"cannot be locked ('{full}'): {e.Message}");
        }
    }

    /// <summary>
    /// True when a live process holds the lock file <paramref name="path"/> (false when the file is
    /// missing or nobody holds it). Probes with a moment's exclusive open, released at once.
    /// </summary>
    public static bool IsHeld(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException e) when (ExclusiveOpen.IsConflict(e, path))
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Releases the lock (the file stays).</summary>
    public void Dispose() => _stream.Dispose();
}
