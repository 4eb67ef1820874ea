using System.Globalization;
using System.Text.Json.Serialization;

namespace PepLab.Core;

/// <summary>
/// Who wrote an output: the full PepLab version (with its commit), the exact command line, the UTC
/// time and the host. Recorded in every file PepLab writes, under the same four names everywhere:
/// trajectory root attributes, <c>manifest.csv</c> columns, and a <c>provenance</c> object in
/// <c>sample.json</c>, <c>model.json</c> and <c>results.json</c>. It says where a file came from;
/// it never takes part in deciding whether two outputs are the same (a resumed sweep or training
/// given another command line is still the same one).
/// </summary>
public sealed record Provenance
{
    /// <summary>PepLab's full version, commit included (<see cref="PepLabVersion.Current"/>).</summary>
    [JsonPropertyName(VersionName)]
    public required string Version { get; init; }
    /// <summary>The command line as typed: <c>pep</c> and its arguments, each quoted for a POSIX shell where needed.</summary>
    [JsonPropertyName(CommandLineName)]
    public required string CommandLine { get; init; }
    /// <summary>When the output was written: ISO 8601 in UTC to the second (<c>2025-01-31T12:00:00Z</c>).</summary>
    [JsonPropertyName(CreatedUtcName)]
    public required string CreatedUtc { get; init; }
    /// <summary>The machine's name (<see cref="Environment.MachineName"/>).</summary>
    [JsonPropertyName(HostName)]
    public required string Host { get; init; }

    /// <summary>The names of the four fields in every file format (attributes, columns, JSON keys).</summary>
    public const string VersionName = "peplab_version", CommandLineName = "command_line", CreatedUtcName = "created_utc", HostName = "host";

    /// <summary>The program name that starts a command line.</summary>
    public const string Program = "pep";

    private static volatile string? _commandLine;

    /// <summary>
    /// Sets the command line from the program's arguments (without the program name), once at
    /// startup. Until it is set (a library used directly, a test) the process's own command line
    /// (<see cref="Environment.GetCommandLineArgs"/>) is recorded.
    /// </summary>
    public static void SetCommandLine(IEnumerable<string> args) => _commandLine = ShellLine(Program, args);

    /// <summary>The provenance of an output written now by this process.</summary>
    public static Provenance Current() => new()
    {
        Version = PepLabVersion.Current,
        CommandLine = _commandLine ?? ShellLine(Environment.GetCommandLineArgs()),
        CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Host = Environment.MachineName,
    };

    /// <summary><paramref name="program"/> and then <paramref name="args"/> as one POSIX shell line (see <see cref="ShellQuote"/>).</summary>
    public static string ShellLine(string program, IEnumerable<string> args) => ShellLine(args.Prepend(program));

    private static string ShellLine(IEnumerable<string> words) => string.Join(' ', words.Select(ShellQuote));

    /// <summary>
    /// A word as a POSIX shell reads it back: as it is when it holds only letters, digits and
    /// <c>-_./:=,+@%</c>; otherwise in single quotes, a quote inside written <c>'\''</c>.
    /// </summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
