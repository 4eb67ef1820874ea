using System.Reflection;

namespace PepLab.Tests;

/// <summary>
/// Runs the <c>pep</c> program's entry point inside the test process, with stdout and stderr
/// captured: hundreds of runs in seconds where a process each would take minutes. Tests that use it
/// belong to the <see cref="InProcessPepCollection"/>, which runs alone (the console is process-wide).
/// Stack traces an unhandled exception would print are captured like any other stderr.
/// </summary>
public static class InProcessPep
{
    private static readonly MethodInfo Main = Assembly.Load("pep").EntryPoint
                                              ?? throw new InvalidOperationException("pep has no entry point");
    private static readonly Lock Gate = new();

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        lock (Gate)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var (oldOut, oldError) = (Console.Out, Console.Error);
            Console.SetOut(output);
            Console.SetError(error);
            int code;
            try
            {
                code = (int)Main.Invoke(null, [args])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                // What the program would die of: reported as a crash with its stack trace on stderr.
                error.WriteLine($"Unhandled exception. {inner}");
                code = 134;
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
            return (code, output.ToString(), error.ToString());
        }
    }

    /// <summary>
    /// Runs one command on <paramref name="file"/> (its arguments with {0} for the file and {1} for
    /// <paramref name="outFolder"/>) and checks the refusal: exit code 2, one stderr line naming the
    /// file and saying <paramref name="refusal"/>, no stack trace, nothing on stdout, nothing in the
    /// output folder.
    /// </summary>
    public static void AssertRefused(string[] command, string file, string refusal, string outFolder)
    {
        Directory.CreateDirectory(outFolder);
        var args = command.Select(a => string.Format(System.Globalization.CultureInfo.InvariantCulture, a, file, outFolder)).ToArray();
        var (code, output, error) = InProcessPep.Run(args);
        string shown = $"pep {string.Join(' ', command.Take(2))}: exit {code}\nstderr: {error}\nstdout: {output}";
        Assert.True(code == 2, shown);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, shown);
        Assert.Contains($" {file}: ", lines[0]);
        Assert.Contains(refusal, lines[0]);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("Exception", lines[0].Split(file)[0]);
        Assert.True(output.Length == 0, shown);
        Assert.True(Directory.GetFileSystemEntries(outFolder).Length == 0,
            $"{shown}\nleft behind: {string.Join(", ", Directory.GetFileSystemEntries(outFolder))}");
        Directory.Delete(outFolder);
    }
}

/// <summary>Tests that run pep in-process: they share the console, so they run alone.</summary>
[CollectionDefinition(nameof(InProcessPepCollection), DisableParallelization = true)]
public sealed class InProcessPepCollection;
