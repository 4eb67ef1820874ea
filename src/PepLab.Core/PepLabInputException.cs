namespace PepLab.Core;

/// <summary>
/// Bad input from the user (an option out of range, a file of the wrong layout, ...). The command
/// line prints <see cref="Exception.Message"/> as one line and exits with code 2.
/// </summary>
public class PepLabInputException : Exception
{
    public PepLabInputException(string subject, string problem)
        : base($"{subject}: {problem}")
    {
        Subject = subject;
    }

    public PepLabInputException(string subject, string problem, Exception inner)
        : base($"{subject}: {problem}", inner)
    {
        Subject = subject;
    }

    /// <summary>The option or file the problem is about.</summary>
    public string Subject { get; }
}
