namespace PepLab.Tests;

/// <summary>Runs the real <c>pep</c> program (built next to the tests) as a user would.</summary>
public static class PepCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "pep.dll");

    public static (int Code, string Out, string Err) Run(string arguments, string? workingDirectory = null, int timeoutMs = 300_000) =>
        ExternalTools.Run("dotnet", $"\"{Dll}\" {arguments}", workingDirectory, timeoutMs);
}
