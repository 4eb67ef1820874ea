using System.Text;

namespace PepLab.Core;

/// <summary>
/// A text output (CSV, JSON) named by the user: a file, written through <see cref="AtomicFile"/>, or
/// standard output for <c>-</c> (<see cref="StandardOutput"/>), so <c>--out -</c> pipes the text into
/// another program. Standard output is written through a buffer flushed by <see cref="CommitOrExplain"/>;
/// nothing else should write to it meanwhile.
/// </summary>
public sealed class TextOutput : IDisposable
{
    /// <summary>The name that means standard output.</summary>
    public const string StandardOutput = "-";

    private readonly AtomicFile? _file;
    private readonly TextWriter? _stdout;

    private TextOutput(AtomicFile? file, TextWriter? stdout)
    {
        _file = file;
        _stdout = stdout;
    }

    /// <summary>True when <paramref name="path"/> is <c>-</c>: the text goes to standard output.</summary>
    public static bool IsStandardOutput(string? path) => path == StandardOutput;

    /// <summary>What the output is called in messages: its path, or "standard output".</summary>
    public static string Describe(string path) => IsStandardOutput(path) ? "standard output" : path;

    /// <summary><see cref="AtomicFile.CheckTarget"/> for a file; nothing to check for standard output.</summary>
    public static void CheckTarget(string path, bool overwrite, string subject = "path")
    {
        if (!IsStandardOutput(path)) AtomicFile.CheckTarget(path, overwrite, subject);
    }

    /// <summary>Starts writing <paramref name="path"/> (see <see cref="AtomicFile.Create"/>), or standard output for <c>-</c>.</summary>
    public static TextOutput Create(string path, string subject = "path") => IsStandardOutput(path)
        ? new TextOutput(null, new Buffered(Console.Out))
        : new TextOutput(AtomicFile.Create(path, subject), null);

    /// <summary>The writer: the temporary file's, or standard output's.</summary>
    public TextWriter Text => _file?.Text ?? _stdout!;

    /// <summary>Renames the file into place (<see cref="AtomicFile.CommitOrExplain"/>), or flushes standard output.</summary>
    public void CommitOrExplain(string subject = "path")
    {
        if (_file is not null) _file.CommitOrExplain(subject);
        else _stdout!.Flush();
    }

    /// <summary>Lets <paramref name="write"/> fill <see cref="Text"/>, then commits; an exception from it leaves no file.</summary>
    public static void WriteText(string path, Action<TextWriter> write, string subject = "path")
    {
        using var output = Create(path, subject);
        write(output.Text);
        output.CommitOrExplain(subject);
    }

    /// <summary>Closes the file (without <see cref="CommitOrExplain"/>, the temporary file is deleted); standard output stays open.</summary>
    public void Dispose() => _file?.Dispose();

    /// <summary>
    /// Collects the text and hands it to <see cref="Console.Out"/> in large pieces: the console's own writer
    /// flushes every write, which would make a large CSV a system call per field.
    /// </summary>
    private sealed class Buffered(TextWriter inner) : TextWriter
    {
        private const int Size = 1 << 16;
        private readonly StringBuilder _buffer = new(Size);

        // CSV and JSON lines end in "\n" as in files (AtomicFile.Text).
        public override string NewLine => "\n";

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            _buffer.Append(value);
            if (_buffer.Length >= Size) Flush();
        }

        public override void Write(string? value)
        {
            _buffer.Append(value);
            if (_buffer.Length >= Size) Flush();
        }

        public override void Write(char[] buffer, int index, int count)
        {
            _buffer.Append(buffer, index, count);
            if (_buffer.Length >= Size) Flush();
        }

        public override void WriteLine(string? value)
        {
            _buffer.Append(value).Append('\n');
            if (_buffer.Length >= Size) Flush();
        }

        public override void WriteLine() => Write('\n');

        public override void Flush()
        {
            inner.Write(_buffer.ToString());
            _buffer.Clear();
            inner.Flush();
        }
    }
}
