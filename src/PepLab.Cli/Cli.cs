using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PepLab.Core;

namespace PepLab.Cli;

/// <summary>Shared plumbing of the commands: options, one-line errors, exit codes, Ctrl-C and SIGTERM.</summary>
internal static class Cli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    /// <summary>Stopped by Ctrl-C (SIGINT): 128 + 2, as a shell reports it.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM (what SLURM sends at a job's time limit): 128 + 15.</summary>
    public const int Terminated = 143;

    private static readonly CancellationTokenSource Cancel = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int _hooked;
    private static int _signal;
    private static Func<string>? _interruptedNote;

    /// <summary>
    /// Cancelled on Ctrl-C (SIGINT) or SIGTERM; the running command stops between steps, keeps what
    /// it completed and removes what it had not. A command that reads this token takes over both
    /// signals; a second signal ends the process at once.
    /// </summary>
    public static CancellationToken Cancellation
    {
        get
        {
            if (Interlocked.Exchange(ref _hooked, 1) == 0)
            {
                foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
                {
                    try
                    {
                        Registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
                    }
                    catch (PlatformNotSupportedException)
                    {
                        // A platform without this signal keeps its default handling.
                    }
                }
            }
            return Cancel.Token;
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        // The first signal asks the command to stop cleanly; the default action (terminate) is left to a second one.
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) != 0) return;
        context.Cancel = true;
        Cancel.Cancel();
    }

    /// <summary>
    /// The line a command prints when interrupted: what it kept and how to resume. Commands that can
    /// say more than the generic line set it once they know their outputs.
    /// </summary>
    public static void OnInterrupt(Func<string> note) => _interruptedNote = note;

    /// <summary>
    /// Runs a command body, turning bad input (a <see cref="PepLabInputException"/>, a
    /// <see cref="BadFileException"/> from a reader included, also when a parallel loop wraps it)
    /// into one line on stderr and exit code 2, its subject the option the user typed for the library's
    /// parameter (<see cref="OptionSubject"/>). I/O failures and, as a last resort, any other exception
    /// are one line and exit code 1. Warnings go to stderr as one line each.
    /// </summary>
    public static int Guard(string command, Func<int> body)
    {
        Warnings.Sink = line => Console.Error.WriteLine($"pep {command}: warning: {line}");
        try
        {
            return body();
        }
        catch (Exception e) when (InputProblem(e) is { } input)
        {
            Error(command, OptionSubject(input).Message);
            return BadInput;
        }
        catch (OperationCanceledException)
        {
            bool term = Volatile.Read(ref _signal) == (int)PosixSignal.SIGTERM;
            string note = _interruptedNote?.Invoke() ?? "completed output kept, incomplete output removed";
            Console.Error.WriteLine($"pep {command}: interrupted by {(term ? "SIGTERM" : "Ctrl-C")}; {note}");
            return term ? Terminated : Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(command, e.Message);
            return Failure;
        }
        catch (Exception e)
        {
            // The last resort: a failure nobody foresaw is still one line and exit code 1, never a
            // stack trace. Bad input must not end here; it is a PepLabInputException, exit code 2.
            Error(command, $"internal error: {BadFileException.Describe(e)} (please report)");
            return Failure;
        }
    }

    /// <summary>The command being run (set by the program's entry point): its options name library parameters.</summary>
    public static Command? Current { get; set; }

    /// <summary>
    /// Library parameters whose option has another name, as "parameter" (any command) or
    /// "command parameter" (one command, by its last word: "summary" for model summary) -> options to try in order; the first the command has wins.
    /// Every other parameter maps to the option spelled like it (<c>holdOutReplica</c> -> <c>--hold-out-replica</c>).
    /// </summary>
    private static readonly Dictionary<string, string[]> OptionNames = new()
    {
        ["output"] = ["--out"],
        ["batchSize"] = ["--batch"],
        ["learningRate"] = ["--lr"],
        ["fraction"] = ["--val-fraction"],
        ["blockFrames"] = ["--block"],
        ["density"] = ["--density", "--densities"],
        ["densities"] = ["--densities", "--density"],
        ["tumble"] = ["--tumble", "--tumbles"],
        ["tumbles"] = ["--tumbles", "--tumble"],
    };

    /// <summary>
    /// <paramref name="input"/> about the option the user typed: a library names its parameter
    /// (<c>holdOutReplica</c>), the user typed an option (<c>--hold-out-replica</c>). A subject the
    /// command has no option for is left as the library's name.
    /// </summary>
    public static PepLabInputException OptionSubject(PepLabInputException input) =>
        Current is { } command && input.NamesParameter ? input.WithSubject(OptionFor(command, input.Subject)) : input;

    /// <summary>The option of <paramref name="command"/> that sets the library parameter <paramref name="parameter"/>, or null.</summary>
    public static string? OptionFor(Command command, string parameter)
    {
        var options = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet();
        string[] tried = OptionNames.TryGetValue($"{command.Name} {parameter}", out var mine) ? mine
            : OptionNames.TryGetValue(parameter, out var any) ? any : [];
        return tried.Append(Kebab(parameter)).FirstOrDefault(options.Contains);
    }

    /// <summary><c>holdOutReplica</c> -> <c>--hold-out-replica</c>.</summary>
    public static string Kebab(string parameter) =>
        "--" + string.Concat(parameter.Select(c => char.IsAsciiLetterUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>The command line as typed (set by the program's entry point), for resume hints.</summary>
    public static IReadOnlyList<string> Arguments { get; set; } = [];

    /// <summary><see cref="Arguments"/> and then <paramref name="more"/> as a shell line starting with <c>pep</c>.</summary>
    public static string CommandLine(IEnumerable<string> more) => Provenance.ShellLine(Provenance.Program, Arguments.Concat(more));

    /// <summary>True when the command line has <paramref name="option"/> (alone or as <c>option=value</c>).</summary>
    public static bool HasArgument(string option) => Arguments.Any(a => a == option || a.StartsWith(option + "=", StringComparison.Ordinal));

    /// <summary>The bad-input exception behind <paramref name="e"/>: itself, or the first one an <see cref="AggregateException"/> holds.</summary>
    private static PepLabInputException? InputProblem(Exception e) => e switch
    {
        PepLabInputException input => input,
        AggregateException aggregate => aggregate.Flatten().InnerExceptions.OfType<PepLabInputException>().FirstOrDefault(),
        _ => null,
    };

    public static void Error(string command, string message) =>
        Console.Error.WriteLine($"pep {command}: error: {message.ReplaceLineEndings(" ")}");

    public static Option<T> Option<T>(string name, string description, T defaultValue, params string[] aliases)
    {
        var o = new Option<T>(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue };
        return o;
    }

    public static Option<T?> OptionalOption<T>(string name, string description, params string[] aliases) where T : struct =>
        new(name, aliases) { Description = description };

    public static Option<string?> PathOption(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description };

    public static Option<bool> Flag(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description };

    public static string Num(double x) => x.ToString("0.######", CultureInfo.InvariantCulture);

    // One definition of each option several commands share, so it reads and behaves alike everywhere.

    /// <summary><c>--jobs N</c>: work items at once; 0 (the default) = all cores.</summary>
    public static Option<int> JobsOption(string what)
    {
        var o = Option("--jobs", $"{what} at once; 0 = all cores ({Environment.ProcessorCount} here).", 0, "-j");
        o.HelpName = "N";
        return o;
    }

    /// <summary>The value of a <see cref="JobsOption"/>: 0 becomes the number of cores; negative is refused.</summary>
    public static int Jobs(ParseResult r, Option<int> option) => Cores.Resolve(r.GetValue(option), "jobs");

    /// <summary><c>--threads N</c>: libtorch threads; 0 = all cores; 1 by default in every command.</summary>
    public static Option<int> ThreadsOption()
    {
        var o = Option("--threads", "libtorch threads; 0 = all cores. Default 1: more threads spin and slow training badly when the cores are shared.", 1);
        o.HelpName = "N";
        return o;
    }

    /// <summary>The value of a <see cref="ThreadsOption"/>, checked (0 = all cores).</summary>
    public static int Threads(ParseResult r, Option<int> option)
    {
        int threads = r.GetValue(option);
        if (threads < 0) throw new PepLabInputException("--threads", $"must be 0 (all cores) or a positive count (got {threads})");
        return threads;
    }

    public static Option<bool> QuietOption() => Flag("--quiet", "No progress output.", "-q");

    public static Option<bool> OverwriteOption(string what) => Flag("--overwrite", $"Replace {what} if it exists (without it, existing output is refused).");

    /// <summary><c>--frames a:b</c>, a Python slice of a run's frames.</summary>
    public static Option<string?> FramesOption()
    {
        var o = PathOption("--frames", "Frames to use, a:b as a Python slice (b exclusive; a: or :b; negative counts from the end). Default: all.");
        o.HelpName = "a:b";
        return o;
    }

    public static PepLab.Analyse.FrameRange? Frames(ParseResult r, Option<string?> option) =>
        r.GetValue(option) is { } text ? PepLab.Analyse.FrameRange.Parse(text) : null;

    /// <summary>
    /// A run selector (<c>--select-densities</c>, <c>--select-tumbles</c>, <c>--select-replicas</c>): values
    /// matched within 1% and min:max ranges, comma-separated. Grids (<c>pep sample --densities</c>) are another option.
    /// </summary>
    public static Option<string?> SelectOption(string parameter, string what)
    {
        var o = PathOption($"--select-{parameter}", $"Only runs with these {what}: values (matched to 1%, so 0.034 picks 0.0337519) and min:max ranges, comma-separated.");
        o.HelpName = "LIST";
        return o;
    }

    public static PepLab.Store.ValueFilter? Select(ParseResult r, Option<string?> option) =>
        r.GetValue(option) is { } text ? PepLab.Store.ValueFilter.Parse(text, option.Name) : null;

    /// <summary>True when the user typed <paramref name="option"/> (not its default).</summary>
    public static bool Given(ParseResult r, Option option) => r.GetResult(option) is { Implicit: false };

    /// <summary>Refuses <paramref name="option"/> unless <paramref name="needed"/> is given too.</summary>
    public static void Needs(ParseResult r, Option needed, params Option[] options)
    {
        foreach (var o in options)
            if (Given(r, o) && !Given(r, needed)) throw new PepLabInputException(o.Name, $"needs {needed.Name}");
    }

    /// <summary>Refuses giving both options.</summary>
    public static void Conflict(ParseResult r, Option a, Option b)
    {
        if (Given(r, a) && Given(r, b)) throw new PepLabInputException(a.Name, $"conflicts with {b.Name}: give one of them");
    }

    /// <summary>Checks an output file before anything is computed or created (<see cref="AtomicFile.CheckTarget"/>); returns the path as given.</summary>
    public static string CheckOutputFile(string option, string path, bool overwrite)
    {
        AtomicFile.CheckTarget(path, overwrite, option);
        return path;
    }

    /// <summary>Checks an output folder and the named files in it (<see cref="AtomicFile.CheckTargetFolder"/>); returns the folder as given.</summary>
    public static string CheckOutputFolder(string option, string folder, bool overwrite, params string[] files)
    {
        AtomicFile.CheckTargetFolder(folder, overwrite, files, option);
        return folder;
    }
}
