using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>What one trajectory file holds (its layout, parameters, frames and size), for <c>pep dataset</c>; a run's analysis results are PepLab.Experiments' RunSummary.</summary>
public sealed record RunFileSummary(
    string File,
    TrajectoryLayout Layout,
    int RolledCopies,
    double Density,
    double ActualDensity,
    double Tumble,
    int Nx,
    int Ny,
    int Particles,
    int Frames,
    int? Interval,
    long Bytes)
{
    /// <summary>The frames as uint8, uncompressed: frames * nx * ny.</summary>
    public long RawBytes => (long)Frames * Nx * Ny;

    /// <summary>Raw uint8 bytes over bytes on disk (above 1: smaller than raw; the original's int32 files are near 0.25).</summary>
    public double CompressionRatio => Bytes > 0 ? (double)RawBytes / Bytes : double.NaN;

    public string LayoutName => Layout == TrajectoryLayout.PepLab ? "peplab" : RolledCopies > 0 ? "legacy-rolled" : "legacy";
}

/// <summary>A file of a data set that could not be read, with the one-line reason.</summary>
public sealed record DatasetProblem(string File, string Message);

/// <summary>What a data set folder (or a single file) holds, whatever the layout of its files.</summary>
public sealed record DatasetSummary(
    string Path,
    IReadOnlyList<RunFileSummary> Runs,
    IReadOnlyList<DatasetProblem> Problems,
    IReadOnlyList<string> Incomplete,
    IReadOnlyDictionary<string, int>? PlannedStatus)
{
    public IReadOnlyList<string> Layouts => Runs.Select(r => r.LayoutName).Distinct().Order(StringComparer.Ordinal).ToList();
    public IReadOnlyList<double> Densities => Runs.Select(r => r.Density).Distinct().Order().ToList();
    public IReadOnlyList<double> Tumbles => Runs.Select(r => r.Tumble).Distinct().Order().ToList();
    public IReadOnlyList<(int Nx, int Ny)> Lattices => Runs.Select(r => (r.Nx, r.Ny)).Distinct().Order().ToList();
    public long Frames => Runs.Sum(r => (long)r.Frames);
    public long Bytes => Runs.Sum(r => r.Bytes);
    public long RawBytes => Runs.Sum(r => r.RawBytes);
    public double CompressionRatio => Bytes > 0 ? (double)RawBytes / Bytes : double.NaN;
    public double BytesPerFrame => Frames > 0 ? (double)Bytes / Frames : double.NaN;

    /// <summary>
    /// Opens every file of <paramref name="path"/> (see <see cref="DataSet.TrajectoryFiles"/>: a
    /// file, the runs of a PepLab data set, or the *.h5 files of a folder) and summarises it. A
    /// single file that cannot be read throws <see cref="PepLabInputException"/>; in a folder,
    /// unreadable files are listed in <see cref="Problems"/> and the rest summarised. For a PepLab
    /// data set, <see cref="PlannedStatus"/> counts its planned runs by status (complete, pending,
    /// incomplete, failed). <paramref name="filesDone"/> is called after each file.
    /// </summary>
    public static DatasetSummary Of(string path, Action<int>? filesDone = null, CancellationToken cancellation = default)
    {
        var files = DataSet.TrajectoryFiles(path);
        bool single = File.Exists(path);
        var runs = new List<RunFileSummary>();
        var problems = new List<DatasetProblem>();
        for (int i = 0; i < files.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                runs.Add(Summarise(files[i]));
            }
            catch (PepLabInputException e) when (!single)
            {
                problems.Add(new DatasetProblem(files[i], e.Message));
            }
            filesDone?.Invoke(i + 1);
        }
        Dictionary<string, int>? planned = null;
        if (Directory.Exists(path) && DataSet.IsDataSet(path))
        {
            var set = DataSet.Open(path);
            planned = set.Runs.GroupBy(r => set.StatusOf(r)).ToDictionary(g => g.Key, g => g.Count());
        }
        return new DatasetSummary(path, runs, problems, IncompleteFiles(path), planned);
    }

    /// <summary>Temporary files of writes that never completed (or are still going on; see <see cref="AtomicFile"/>) in a folder.</summary>
    public static IReadOnlyList<string> IncompleteFiles(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*" + AtomicFile.TemporarySuffix, SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The summary of one trajectory file of either layout, after reading every frame (a damaged or invalid file is refused).</summary>
    public static RunFileSummary Summarise(string file)
    {
        using var source = FrameSources.Open(file);
        source.Verify();
        var info = source.Info;
        return new RunFileSummary(
            File: file,
            Layout: info.Layout,
            RolledCopies: source is LegacyReader legacy ? legacy.RolledCopies : 0,
            Density: info.DensityRequested,
            ActualDensity: info.Density,
            Tumble: info.Tumble,
            Nx: info.Nx,
            Ny: info.Ny,
            Particles: info.Particles,
            Frames: source.Count,
            Interval: info.Interval,
            Bytes: new FileInfo(file).Length);
    }

    /// <summary>
    /// The summary as (name, value) lines, what <c>pep dataset info</c> shows: sizes in B, KiB, MiB or GiB,
    /// parameter values as Python prints them, lists of more than 12 values cut with their count, "-" for none.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Describe()
    {
        var rows = new List<(string Name, string Value)>
        {
            ("layout", Values(Layouts, x => x)),
            ("runs", Runs.Count.ToString(CultureInfo.InvariantCulture)),
            ("densities", Values(Densities, PythonFloat.Repr)),
            ("tumbles (P_t)", Values(Tumbles, PythonFloat.Repr)),
            ("lattice", Values(Lattices, l => $"{l.Nx}x{l.Ny}")),
            ("frames", Frames.ToString("N0", CultureInfo.InvariantCulture)),
            ("bytes on disk", $"{Size(Bytes)} ({Bytes.ToString("N0", CultureInfo.InvariantCulture)} B)"),
            ("bytes per frame", double.IsNaN(BytesPerFrame) ? "-" : $"{BytesPerFrame.ToString("N0", CultureInfo.InvariantCulture)} B"),
            ("raw uint8 bytes", Size(RawBytes)),
            ("compression ratio", Ratio(CompressionRatio)),
        };
        if (PlannedStatus is { } planned)
            rows.Add(("data set (sample.json)", $"{planned.Values.Sum()} planned runs: " +
                string.Join(", ", planned.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))));
        if (Incomplete.Count > 0) rows.Add(($"incomplete (*{AtomicFile.TemporarySuffix})", Incomplete.Count.ToString(CultureInfo.InvariantCulture)));
        if (Problems.Count > 0) rows.Add(("unreadable files", Problems.Count.ToString(CultureInfo.InvariantCulture)));
        return rows;
    }

    /// <summary>Column names of <see cref="RunRow"/>.</summary>
    public static readonly string[] RunColumns = ["file", "layout", "density", "P_t", "lattice", "N", "frames", "interval", "bytes", "ratio"];

    /// <summary>One run as the cells of <see cref="RunColumns"/> (the file's name without its folder).</summary>
    public static string[] RunRow(RunFileSummary r) =>
    [
        System.IO.Path.GetFileName(r.File), r.LayoutName, PythonFloat.Repr(r.Density), PythonFloat.Repr(r.Tumble), $"{r.Nx}x{r.Ny}",
        r.Particles.ToString(CultureInfo.InvariantCulture), r.Frames.ToString(CultureInfo.InvariantCulture),
        r.Interval?.ToString(CultureInfo.InvariantCulture) ?? "-", Size(r.Bytes), Ratio(r.CompressionRatio),
    ];

    /// <summary>A size in B, KiB, MiB or GiB (binary units).</summary>
    public static string Size(long b) => b switch
    {
        >= 1L << 30 => (b / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (b / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (b / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => $"{b} B",
    };

    private static string Ratio(double x) => double.IsNaN(x) ? "-" : x.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Values<T>(IReadOnlyList<T> values, Func<T, string> show, int max = 12) =>
        values.Count == 0 ? "-"
        : values.Count <= max ? string.Join(", ", values.Select(show))
        : string.Join(", ", values.Take(max).Select(show)) + $", ... ({values.Count} values)";

    /// <summary>The summary as indented JSON (what <c>pep dataset info --json</c> prints); NaN and infinities as null.</summary>
    public string ToJson() => PepLabJson.Text(PepLabJson.Document("dataset-info", ToJsonObject(this)));

    private static JsonObject ToJsonObject(DatasetSummary s) => new()
    {
        ["path"] = s.Path,
        ["layouts"] = new JsonArray(s.Layouts.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        ["runs"] = s.Runs.Count,
        ["densities"] = new JsonArray(s.Densities.Select(PepLabJson.Number).ToArray()),
        ["tumbles"] = new JsonArray(s.Tumbles.Select(PepLabJson.Number).ToArray()),
        ["lattices"] = new JsonArray(s.Lattices.Select(l => (JsonNode?)new JsonArray(l.Nx, l.Ny)).ToArray()),
        ["frames"] = s.Frames,
        ["bytes"] = s.Bytes,
        ["raw_bytes"] = s.RawBytes,
        ["bytes_per_frame"] = PepLabJson.Number(s.BytesPerFrame),
        ["compression_ratio"] = PepLabJson.Number(s.CompressionRatio),
        ["planned_status"] = s.PlannedStatus is { } planned
            ? new JsonObject(planned.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))))
            : null,
        ["incomplete"] = new JsonArray(s.Incomplete.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        ["problems"] = new JsonArray(s.Problems.Select(p => (JsonNode?)new JsonObject { ["file"] = p.File, ["error"] = p.Message }).ToArray()),
        ["files"] = new JsonArray(s.Runs.Select(r => (JsonNode?)new JsonObject
        {
            ["file"] = r.File,
            ["layout"] = r.LayoutName,
            ["rolled_copies"] = r.RolledCopies,
            ["density"] = r.Density,
            ["actual_density"] = r.ActualDensity,
            ["tumble"] = r.Tumble,
            ["nx"] = r.Nx,
            ["ny"] = r.Ny,
            ["particles"] = r.Particles,
            ["frames"] = r.Frames,
            ["interval"] = r.Interval,
            ["bytes"] = r.Bytes,
            ["raw_bytes"] = r.RawBytes,
            ["compression_ratio"] = PepLabJson.Number(r.CompressionRatio),
        }).ToArray()),
    };
}
