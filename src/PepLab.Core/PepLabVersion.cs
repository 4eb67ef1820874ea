using System.Reflection;

namespace PepLab.Core;

/// <summary>The version of PepLab, recorded in every file it writes (see <see cref="Provenance"/>).</summary>
public static class PepLabVersion
{
    /// <summary>
    /// The full version, the commit it was built from included (<c>0.1.0+1de3776</c>), as <c>pep --version</c>
    /// prints it; just the release (<c>0.1.0</c>) when built outside a git checkout.
    /// </summary>
    public static string Current { get; } =
        typeof(PepLabVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(PepLabVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
