namespace PepLab.Tests;

/// <summary>Runs the real <c>pep</c> program (built next to the tests) as a user would.</summary>
public static class PepCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "pep.dll");

    /// <summary>The dotnet host running the tests (the SDK's own when run by 'dotnet test').</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";

    public static (int Code, string Out, string Err) Run(string arguments, string? workingDirectory = null, int timeoutMs = 300_000) =>
        ExternalTools.Run(Host, $"\"{Dll}\" {arguments}", workingDirectory, timeoutMs);

    /// <summary>Runs pep with separate arguments (quoted when they hold spaces) in <paramref name="workingDirectory"/>.</summary>
    public static (int Code, string Out, string Err) Run(string workingDirectory, params string[] args) =>
        Run(string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a)), workingDirectory);
}
