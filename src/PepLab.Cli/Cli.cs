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
    /// into one line on stderr and exit code 2. Warnings go to stderr as one line each.
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
            Error(command, input.Message);
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
    }

    /// <summary>The command line as typed (set by the program's entry point), for resume hints.</summary>
    public static IReadOnlyList<string> Arguments { get; set; } = [];

    /// <summary><see cref="Arguments"/> and then <paramref name="more"/> as a shell line starting with <c>pep</c>.</summary>
    public static string CommandLine(IEnumerable<string> more) => "pep " + string.Join(' ', Arguments.Concat(more).Select(Quote));

    /// <summary>True when the command line has <paramref name="option"/> (alone or as <c>option=value</c>).</summary>
    public static bool HasArgument(string option) => Arguments.Any(a => a == option || a.StartsWith(option + "=", StringComparison.Ordinal));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

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
}
