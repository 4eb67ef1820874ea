using System.CommandLine;
using System.Globalization;
using PepLab.Core;

namespace PepLab.Cli;

/// <summary>Shared plumbing of the commands: options, one-line errors, exit codes, Ctrl-C.</summary>
internal static class Cli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    private static readonly CancellationTokenSource Cancel = new();
    private static int _hooked;

    /// <summary>Cancelled on Ctrl-C; the running command stops between steps and cleans up.</summary>
    public static CancellationToken Cancellation
    {
        get
        {
            if (Interlocked.Exchange(ref _hooked, 1) == 0)
            {
                Console.CancelKeyPress += (_, e) =>
                {
                    e.Cancel = true;
                    Cancel.Cancel();
                };
            }
            return Cancel.Token;
        }
    }

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
            Console.Error.WriteLine($"pep {command}: interrupted; incomplete output removed");
            return Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(command, e.Message);
            return Failure;
        }
    }

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
