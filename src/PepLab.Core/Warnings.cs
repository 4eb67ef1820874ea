using System.Collections.Concurrent;

namespace PepLab.Core;

/// <summary>
/// The one channel for warnings about input that is used anyway (a trajectory whose iterations do
/// not step by its stored interval, ...). Each distinct warning is reported once per process, however
/// often its file is opened. The command line points <see cref="Sink"/> at stderr with the command's
/// name; by default warnings go to stderr as <c>warning: ...</c>.
/// </summary>
public static class Warnings
{
    private static readonly ConcurrentDictionary<string, byte> Seen = new(StringComparer.Ordinal);

    /// <summary>Receives each distinct warning, one line without a trailing newline.</summary>
    public static Action<string> Sink { get; set; } = line => Console.Error.WriteLine($"warning: {line}");

    /// <summary>Reports <paramref name="line"/> unless the same line was reported before.</summary>
    public static void Report(string line)
    {
        line = line.ReplaceLineEndings(" ");
        if (Seen.TryAdd(line, 0)) Sink(line);
    }
}
