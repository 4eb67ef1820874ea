namespace PepLab.Core;

/// <summary>
/// An input file that cannot be used: not the expected format, damaged (truncated, a deflate chunk
/// that does not inflate), or holding invalid data (a frame value outside 0..4, iterations that do
/// not increase, an attribute out of range). Readers throw it for every problem with what they read,
/// so that the command line reports one line naming the file and exits with code 2, like any other
/// bad input.
/// </summary>
public sealed class BadFileException : PepLabInputException
{
    public BadFileException(string path, string problem)
        : base(path, OneLine(problem))
    {
    }

    public BadFileException(string path, string problem, Exception inner)
        : base(path, OneLine(problem), inner)
    {
    }

    /// <summary>The file the problem is in.</summary>
    public string Path => Subject;

    /// <summary>
    /// A one-line account of an exception thrown while decoding a file: its innermost cause (an
    /// <see cref="AggregateException"/> from a filter pipeline holds the real one), type and message.
    /// </summary>
    public static string Describe(Exception e)
    {
        while (true)
        {
            if (e is AggregateException { InnerExceptions.Count: > 0 } a) e = a.Flatten().InnerExceptions[0];
            // A bare Exception wrapping another is a library's "something failed" around the cause.
            else if (e.InnerException is { } inner
                     && (e is System.Reflection.TargetInvocationException or TypeInitializationException || e.GetType() == typeof(Exception))) e = inner;
            else break;
        }
        return $"{e.GetType().Name}: {OneLine(e.Message)}";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
