namespace PepLab.Core;

/// <summary>
/// Bad input from the user (an option out of range, a file of the wrong layout, ...). The command
/// line prints <see cref="Exception.Message"/> as one line and exits with code 2.
/// </summary>
/// <remarks>
/// A library names the parameter a problem is about in camelCase, exactly as its C# parameter or
/// property is called (<c>"holdOutReplica"</c>, <c>"density"</c>); a problem with a file names the
/// file (<see cref="BadFileException"/>). The layer that took the value from the user (the command
/// line, an experiment's TOML file) knows what the user typed and re-subjects the error with
/// <see cref="WithSubject"/>: <c>holdOutReplica</c> becomes <c>--hold-out-replica</c> or
/// <c>train.hold_out_replica</c>.
/// </remarks>
public class PepLabInputException : Exception
{
    public PepLabInputException(string subject, string problem)
        : base($"{subject}: {problem}")
    {
        Subject = subject;
        Problem = problem;
    }

    public PepLabInputException(string subject, string problem, Exception inner)
        : base($"{subject}: {problem}", inner)
    {
        Subject = subject;
        Problem = problem;
    }

    /// <summary>The parameter (camelCase, as the library calls it), option, key or file the problem is about.</summary>
    public string Subject { get; }

    /// <summary>What is wrong with <see cref="Subject"/>: the message after "subject: ".</summary>
    public string Problem { get; }

    /// <summary>
    /// True when <see cref="Subject"/> can name a library parameter: a camelCase identifier. Paths,
    /// options and keys never do, so a file that happens to be called <c>model</c> is never renamed.
    /// </summary>
    public bool NamesParameter => this is not BadFileException && IsParameterName(Subject);

    /// <summary>
    /// The same problem about <paramref name="subject"/> (the option or key the user typed for this
    /// exception's parameter), keeping the cause; this exception itself when <paramref name="subject"/>
    /// is null or the same.
    /// </summary>
    public PepLabInputException WithSubject(string? subject) =>
        subject is null || subject == Subject ? this : new PepLabInputException(subject, Problem, this);

    /// <summary>True for a camelCase identifier: a lower-case letter, then letters and digits.</summary>
    public static bool IsParameterName(string name) =>
        name.Length > 0 && char.IsAsciiLetterLower(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
