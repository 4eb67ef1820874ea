using PepLab.Core;
using PepLab.Store;

namespace PepLab.Report;

/// <summary>Turning the PATH arguments of the plot commands into trajectory files.</summary>
public static class PlotInputs
{
    /// <summary>
    /// The trajectory files named by <paramref name="paths"/>: each a file (any layout), a data-set folder
    /// (its complete runs) or a folder of .h5 files; duplicates dropped, order kept.
    /// </summary>
    public static IReadOnlyList<string> Files(IEnumerable<string> paths)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in paths)
        {
            var found = DataSet.TrajectoryFiles(p);
            if (found.Count == 0) throw new PepLabInputException(p, "holds no complete run yet");
            foreach (var f in found)
                if (seen.Add(Path.GetFullPath(f))) files.Add(Path.GetFullPath(f));
        }
        if (files.Count == 0) throw new PepLabInputException("PATH", "names no trajectory file");
        return files;
    }

    /// <summary>The files of <paramref name="paths"/> (as the other overload) that <paramref name="filter"/> keeps.</summary>
    public static IReadOnlyList<string> Files(IEnumerable<string> paths, RunFilter filter) => filter.Select(Files(paths));

    /// <summary>
    /// Default output of a figure: next to the single input file as FILE.SUFFIX.EXT, or inside the single
    /// input folder as SUFFIX.EXT; for several inputs SUFFIX.EXT in the current folder.
    /// </summary>
    public static string DefaultOutput(IReadOnlyList<string> paths, string suffix, string extension = "png")
    {
        if (paths.Count == 1)
        {
            string p = paths[0];
            if (File.Exists(p)) return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(p))!, $"{Path.GetFileNameWithoutExtension(p)}.{suffix}.{extension}");
            if (Directory.Exists(p)) return Path.Combine(Path.GetFullPath(p), $"{suffix}.{extension}");
        }
        return Path.GetFullPath($"{suffix}.{extension}");
    }

    /// <summary>Refuses an output name whose extension is not <paramref name="extension"/> (a PNG written as .jpg would mislead).</summary>
    public static void CheckExtension(string path, string extension, string subject = "out")
    {
        if (!string.Equals(Path.GetExtension(path), "." + extension, StringComparison.OrdinalIgnoreCase))
            throw new PepLabInputException(subject, $"'{path}' should end in .{extension} (this figure is written as {extension.ToUpperInvariant()})");
    }
}
