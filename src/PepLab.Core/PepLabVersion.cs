using System.Reflection;

namespace PepLab.Core;

/// <summary>The version of PepLab, recorded in every file it writes.</summary>
public static class PepLabVersion
{
    public static string Current { get; } =
        typeof(PepLabVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(PepLabVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
