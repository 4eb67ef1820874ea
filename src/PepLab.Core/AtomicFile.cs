using System.Text;

namespace PepLab.Core;

/// <summary>
/// The one home of PepLab's write-then-rename rule: every output file is written under a temporary
/// name (<c>FILE.partial</c>, in the same folder, so the rename is atomic) and renamed to its final
/// name only by <see cref="Commit"/>. A process killed at any moment (SIGKILL included) therefore
/// never leaves a file under its final name that looks complete but is not.
/// <para>
/// The temporary file is held with an exclusive lock (<see cref="FileShare.None"/>, an advisory
/// <c>flock</c> on Linux and macOS) that the operating system drops when the process dies. A second
/// process asking for the same output while the first one writes is refused with
/// <see cref="OutputBusyException"/>; a temporary left by a killed process is not locked, and is
/// simply reused. Disposing without <see cref="Commit"/> deletes the temporary file.
/// </para>
/// </summary>
public sealed class AtomicFile : IDisposable
{
    /// <summary>Suffix of the temporary name an output has while it is written.</summary>
    public const string TemporarySuffix = ".partial";

    private readonly FileStream _stream;
    private StreamWriter? _text;
    private bool _committed;
    private bool _disposed;

    private AtomicFile(string path, string temporary, FileStream stream)
    {
        Path = path;
        TemporaryPath = temporary;
        _stream = stream;
    }

    /// <summary>The final (full) path.</summary>
    public string Path { get; }

    /// <summary>Where the file is written until <see cref="Commit"/>.</summary>
    public string TemporaryPath { get; }

    /// <summary>The stream of the temporary file, positioned at 0 and empty when created.</summary>
    public Stream Stream => _disposed ? throw new ObjectDisposedException(nameof(AtomicFile)) : _stream;

    /// <summary>
    /// A text writer on <see cref="Stream"/> (UTF-8 without a byte-order mark, "\n" line ends), created
    /// on first use; <see cref="Commit"/> flushes it.
    /// </summary>
    public TextWriter Text
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _text ??= new StreamWriter(_stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        }
    }

    /// <summary>The temporary name of <paramref name="path"/>.</summary>
    public static string TemporaryPathOf(string path) => path + TemporarySuffix;

    /// <summary>True when <paramref name="path"/> is a temporary name of this helper.</summary>
    public static bool IsTemporary(string path) => path.EndsWith(TemporarySuffix, StringComparison.Ordinal);

    /// <summary>
    /// Checks, before any work, that <paramref name="path"/> can be written: it is not a folder, it does
    /// not exist unless <paramref name="overwrite"/>, and its nearest existing folder is a folder that
    /// takes new files (tried with a file deleted on close). Creates nothing; refuses with a
    /// <see cref="PepLabInputException"/> naming <paramref name="subject"/>. Returns the full path.
    /// </summary>
    public static string CheckTarget(string path, bool overwrite, string subject = "path")
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new PepLabInputException(subject, $"'{path}' is a folder, not a file");
        if (File.Exists(full) && !overwrite) throw new PepLabInputException(subject, $"'{path}' exists (use --overwrite to replace it)");
        CheckWritable(path, System.IO.Path.GetDirectoryName(full), subject);
        return full;
    }

    /// <summary>
    /// Checks an output folder before anything is created: it must not be a file, the named
    /// <paramref name="files"/> in it need <paramref name="overwrite"/> when they exist, and the folder
    /// (or the nearest existing one above it) must take new files. Creates nothing; returns the full path.
    /// </summary>
    public static string CheckTargetFolder(string folder, bool overwrite, IEnumerable<string> files, string subject = "path")
    {
        string full = System.IO.Path.GetFullPath(folder);
        if (File.Exists(full)) throw new PepLabInputException(subject, $"'{folder}' is a file, not a folder");
        var existing = files.Where(f => File.Exists(System.IO.Path.Combine(full, f))).ToList();
        if (existing.Count > 0 && !overwrite)
            throw new PepLabInputException(subject, $"'{folder}' already holds {string.Join(", ", existing)} (use --overwrite to replace them)");
        CheckWritable(folder, full, subject);
        return full;
    }

    /// <summary>The nearest existing folder at or above <paramref name="folder"/> must take a new file (tried with one deleted on close).</summary>
    private static void CheckWritable(string path, string? folder, string subject)
    {
        while (folder is not null && !Directory.Exists(folder))
        {
            if (File.Exists(folder)) throw new PepLabInputException(subject, $"cannot write '{path}': '{folder}' is a file, not a folder");
            folder = System.IO.Path.GetDirectoryName(folder);
        }
        if (folder is null) throw new PepLabInputException(subject, $"cannot write '{path}': no folder above it exists");
        try
        {
            using var probe = new FileStream(System.IO.Path.Combine(folder, $".peplab-probe-{Guid.NewGuid():N}"), FileMode.CreateNew,
                FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new PepLabInputException(subject, $"cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// Starts writing <paramref name="path"/>. Its folder is created. Fails with
    /// <see cref="PepLabInputException"/> naming <paramref name="subject"/> when the path is a folder or
    /// cannot be written, and with <see cref="OutputBusyException"/> when another live process writes it.
    /// Whether an existing final file may be replaced is the caller's decision, made before this call.
    /// </summary>
    public static AtomicFile Create(string path, string subject = "path")
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new PepLabInputException(subject, $"'{path}' is a folder, not a file");
        string temporary = TemporaryPathOf(full);
        while (true)
        {
            var stream = OpenLocked(path, full, temporary, subject);
            // Opening and locking are two steps: a writer that held the lock may have renamed the file
            // to its final name in between. Then the lock is on that final file; let go and start over.
            if (!File.Exists(temporary))
            {
                stream.Dispose();
                continue;
            }
            stream.SetLength(0);
            return new AtomicFile(full, temporary, stream);
        }
    }

    private static FileStream OpenLocked(string path, string full, string temporary, string subject) =>
        ExclusiveOpen.Retrying(() => OpenLockedOnce(path, full, temporary, subject), e => e is OutputBusyException);

    private static FileStream OpenLockedOnce(string path, string full, string temporary, string subject)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            // OpenOrCreate, not Create: the file must not be truncated before the lock is ours, or a
            // second process would empty the first one's work before being refused.
            return new FileStream(temporary, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            throw new OutputBusyException(subject, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new PepLabInputException(subject, $"cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>Flushes the temporary file to disk and renames it to <see cref="Path"/>, replacing any file there.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        _text?.Flush();
        _stream.Flush(flushToDisk: true);
        File.Move(TemporaryPath, Path, overwrite: true);
        _committed = true;
        _disposed = true;
        _stream.Dispose();
    }

    /// <summary>Closes the file; without <see cref="Commit"/>, the temporary file is deleted.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Delete while the lock is still held, so no other writer's fresh temporary is removed.
        if (!_committed) TryDelete(TemporaryPath);
        _stream.Dispose();
        _text = null;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, string subject = "path")
    {
        using var file = Create(path, subject);
        file.Stream.Write(bytes);
        file.CommitOrExplain(subject);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8 without a byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text, string subject = "path") =>
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text), subject);

    /// <summary>Lets <paramref name="write"/> fill the stream, then commits; an exception from it leaves nothing.</summary>
    public static void Write(string path, Action<Stream> write, string subject = "path")
    {
        using var file = Create(path, subject);
        write(file.Stream);
        file.CommitOrExplain(subject);
    }

    /// <summary>Lets <paramref name="write"/> fill <see cref="Text"/>, then commits; an exception from it leaves nothing.</summary>
    public static void WriteText(string path, Action<TextWriter> write, string subject = "path")
    {
        using var file = Create(path, subject);
        write(file.Text);
        file.CommitOrExplain(subject);
    }

    /// <summary><see cref="Commit"/>, with a disk error (full disk, lost folder) turned into one line naming the file.</summary>
    public void CommitOrExplain(string subject = "path")
    {
        try
        {
            Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PepLabInputException(subject, $"cannot write '{Path}': {e.Message}");
        }
    }

    /// <summary>Deletes a file if it exists, ignoring failures (for clean-up paths only).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Clean-up is best effort; the caller is already reporting the real problem.
        }
    }

    /// <summary>
    /// Deletes the temporaries in <paramref name="folder"/> (not below it) that a killed process left:
    /// each is taken with the same exclusive lock a writer holds and deleted while held, so the
    /// temporary of a live writer is never touched. Returns how many were removed.
    /// </summary>
    public static int RemoveAbandoned(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (string temporary in Directory.EnumerateFiles(folder, "*" + TemporarySuffix))
        {
            try
            {
                using var held = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Held by a live writer, or already gone: not ours to remove.
            }
        }
        return removed;
    }

    /// <summary>
    /// True while a live process writes <paramref name="path"/>: its temporary file exists and is locked.
    /// The probe is a moment's non-blocking exclusive open, which a writer starting then waits out
    /// (<see cref="Create"/> retries such a conflict). A temporary nobody holds (a killed writer's) is false.
    /// </summary>
    public static bool IsBeingWritten(string path) => FolderLock.IsHeld(TemporaryPathOf(path));

    /// <summary>
    /// A sharing or lock violation on the temporary. Its existence is not checked (unlike
    /// <see cref="ExclusiveOpen.IsConflict"/>): the writer that held it may have renamed it away since,
    /// and the conflict is then over, so a retry succeeds.
    /// </summary>
    private static bool IsLockConflict(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        && e.HResult is 11 or 32 or 33 or unchecked((int)0x80070020) or unchecked((int)0x80070021);
}

/// <summary>Another live process is writing the same output file.</summary>
public sealed class OutputBusyException : PepLabInputException
{
    public OutputBusyException(string subject, string path)
        : base(subject, $"'{path}' is being written by another process (its '{AtomicFile.TemporarySuffix}' file is locked)")
    {
        OutputPath = path;
    }

    /// <summary>The final path of the output that is busy.</summary>
    public string OutputPath { get; }
}
