using System.Globalization;
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

    /// <summary>
    /// Keeps the files whose Pₜ is one of <paramref name="tumbles"/> and whose density is one of
    /// <paramref name="densities"/> (null: any), matching to 1% (so 0.0337 or 0.034 picks 0.0337519).
    /// With a filter every file is opened, so one that is not a trajectory is reported here. Nothing left is a <see cref="PepLabInputException"/>.
    /// </summary>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> files, IReadOnlyList<double>? tumbles, IReadOnlyList<double>? densities)
    {
        if (tumbles is null && densities is null) return files; // nothing to match: no need to open (original rolled files open slowly)
        var kept = new List<string>();
        foreach (var file in files)
        {
            using var source = FrameSources.Open(file);
            if (tumbles is not null && !tumbles.Any(t => Near(t, source.Info.Tumble))) continue;
            if (densities is not null && !densities.Any(d => Near(d, source.Info.DensityRequested))) continue;
            kept.Add(file);
        }
        if (kept.Count == 0)
            throw new PepLabInputException(tumbles is not null ? "--tumbles" : "--densities", $"no run of the {files.Count} given matches");
        return kept;
    }

    /// <summary>True when <paramref name="asked"/> names <paramref name="actual"/> (1% relative).</summary>
    public static bool Near(double asked, double actual) => Math.Abs(asked - actual) <= 0.01 * Math.Max(Math.Abs(actual), 1e-12);

    /// <summary>Parses a comma-separated list of numbers; a bad one is a <see cref="PepLabInputException"/> on <paramref name="subject"/>.</summary>
    public static double[] ParseList(string text, string subject)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new PepLabInputException(subject, "is empty; give numbers separated by commas (0.1,0.2)");
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new PepLabInputException(subject, $"'{p}' is not a number")).ToArray();
    }

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
    public static void CheckExtension(string path, string extension, string subject = "--out")
    {
        if (!string.Equals(Path.GetExtension(path), "." + extension, StringComparison.OrdinalIgnoreCase))
            throw new PepLabInputException(subject, $"'{path}' should end in .{extension} (this figure is written as {extension.ToUpperInvariant()})");
    }
}
