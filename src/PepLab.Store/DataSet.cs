using System.Globalization;
using System.Text;
using System.Text.Json;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// A data-set folder: <c>sample.json</c> (what it holds), one trajectory file per run, and
/// <c>manifest.csv</c> (one row per run, for pandas). Per-run records in <c>.records/</c> carry what a
/// file cannot (wall time, failures); the manifest is rebuilt from the folder's state under a file
/// lock, so several processes (SLURM array tasks) can fill one data set and the manifest is
/// consistent once the last of them finishes.
/// </summary>
public sealed class DataSet
{
    public const string SpecFile = "sample.json";
    public const string ManifestFile = "manifest.csv";
    public const string RecordsFolder = ".records";
    private const string LockFile = ".manifest.lock";

    /// <summary>
    /// Manifest columns, in order: the run, its outcome, and the provenance of the process that wrote
    /// its file (the same as the file's attributes; empty until the run is complete).
    /// </summary>
    public static readonly string[] ManifestColumns =
        ["file", "density", "tumble", "replica", "nx", "ny", "speed", "warmup", "interval", "seed", "snapshots", "status", "seconds", "bytes",
         Provenance.VersionName, Provenance.CommandLineName, Provenance.CreatedUtcName, Provenance.HostName];

    private DataSet(string folder, SampleSpec spec)
    {
        Folder = folder;
        Spec = spec;
        Runs = spec.Plan();
    }

    public string Folder { get; }
    public SampleSpec Spec { get; }
    public IReadOnlyList<PlannedRun> Runs { get; }

    public string PathOf(PlannedRun run) => Path.Combine(Folder, run.File);

    /// <summary>True when <paramref name="folder"/> holds a PepLab data set.</summary>
    public static bool IsDataSet(string folder) => File.Exists(Path.Combine(folder, SpecFile));

    /// <summary>
    /// Checks, creating nothing, that <paramref name="spec"/> can be sampled into <paramref name="folder"/>:
    /// its grid is valid and the folder holds no other data set. Returns the data set already there
    /// (the same runs), or null when the folder holds none yet.
    /// </summary>
    public static DataSet? CheckResume(string folder, SampleSpec spec)
    {
        folder = Path.GetFullPath(folder);
        _ = spec.Plan(); // validates the grid
        if (File.Exists(folder)) throw new PepLabInputException("out", $"'{folder}' is a file, not a folder");
        if (IsDataSet(folder))
        {
            var existing = Open(folder);
            if (!existing.Spec.SameRunsAs(spec))
                throw new PepLabInputException("out",
                    $"'{folder}' holds a different data set ({spec.Difference(existing.Spec)} differs); use another folder, or run 'pep sample --out {folder}' alone to resume it");
            return existing;
        }
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.h5").Any())
            throw new PepLabInputException("out", $"'{folder}' holds .h5 files but no {SpecFile}: not a PepLab data set; use another folder");
        return null;
    }

    /// <summary>
    /// Creates the data set in <paramref name="folder"/>, or reopens it when it already holds the same
    /// runs. A folder holding a different data set is refused (nothing in it is touched).
    /// </summary>
    public static DataSet CreateOrResume(string folder, SampleSpec spec)
    {
        folder = Path.GetFullPath(folder);
        if (CheckResume(folder, spec) is { } existing) return existing;
        try
        {
            Directory.CreateDirectory(folder);
            var created = spec with { Provenance = Provenance.Current() };
            AtomicFile.WriteAllText(Path.Combine(folder, SpecFile), JsonSerializer.Serialize(created, SampleSpec.Json) + "\n", "out");
        }
        catch (OutputBusyException)
        {
            // Another process creates this data set at this very moment: resume it once it is there.
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!IsDataSet(folder) && DateTime.UtcNow < until) Thread.Sleep(50);
            if (!IsDataSet(folder)) throw;
            return CreateOrResume(folder, spec);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PepLabInputException("out", $"cannot write '{folder}': {e.Message}");
        }
        var set = new DataSet(folder, spec);
        set.WriteManifest();
        return set;
    }

    /// <summary>Opens an existing data set.</summary>
    public static DataSet Open(string folder)
    {
        folder = Path.GetFullPath(folder);
        var specPath = Path.Combine(folder, SpecFile);
        if (!File.Exists(specPath)) throw new PepLabInputException(folder, $"is not a PepLab data set (no {SpecFile})");
        SampleSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<SampleSpec>(File.ReadAllText(specPath), SampleSpec.Json);
        }
        catch (JsonException e)
        {
            throw new PepLabInputException(specPath, $"cannot be read: {e.Message}");
        }
        if (spec is null) throw new PepLabInputException(specPath, "is empty");
        return new DataSet(folder, spec);
    }

    /// <summary>What is known of one run's outcome; <paramref name="Provenance"/>: that of its file, when complete (null in older records).</summary>
    public sealed record RunRecord(string Status, double? Seconds, long? Bytes, string? Error, string? Host, DateTime? Finished,
        Provenance? Provenance = null);

    private string RecordPath(PlannedRun run) => Path.Combine(Folder, RecordsFolder, run.File + ".json");

    /// <summary>Records a finished (or failed) run.</summary>
    public void Record(PlannedRun run, RunRecord record)
    {
        Directory.CreateDirectory(Path.Combine(Folder, RecordsFolder));
        AtomicFile.WriteAllText(RecordPath(run), JsonSerializer.Serialize(record, SampleSpec.Json));
    }

    /// <summary>The record of a run, if any.</summary>
    public RunRecord? ReadRecord(PlannedRun run)
    {
        try
        {
            return File.Exists(RecordPath(run)) ? JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(RecordPath(run)), SampleSpec.Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// "complete" when the run's file exists with all its frames and parameters, "failed" when its
    /// last attempt failed, "incomplete" while its temporary file (AtomicFile.TemporarySuffix) exists (running now, or interrupted), else "pending".
    /// </summary>
    public string StatusOf(PlannedRun run, bool verify = false)
    {
        var path = PathOf(run);
        if (File.Exists(path)) return !verify || IsComplete(run) ? "complete" : "invalid";
        if (File.Exists(AtomicFile.TemporaryPathOf(path))) return "incomplete";
        return ReadRecord(run)?.Status == "failed" ? "failed" : "pending";
    }

    /// <summary>True when the run's file opens and holds exactly the planned run.</summary>
    public bool IsComplete(PlannedRun run)
    {
        try
        {
            using var source = FrameSources.Open(PathOf(run));
            var i = source.Info;
            var p = run.Parameters;
            return i.Layout == TrajectoryLayout.PepLab && source.Count == p.Snapshots && i.Nx == p.Nx && i.Ny == p.Ny
                   && i.Tumble == p.Tumble && i.DensityRequested == p.Density && i.Seed == p.Seed && i.Speed == p.Speed;
        }
        catch (Exception e) when (e is PepLabInputException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Rebuilds <c>manifest.csv</c> (PepLab's CSV convention, <see cref="Csv"/>: a value not known yet is an
    /// empty field) from the folder's state, under a lock shared by all processes.
    /// </summary>
    public void WriteManifest()
    {
        using var gate = AcquireLock();
        var sb = new StringBuilder();
        sb.Append(Csv.Line(ManifestColumns)).Append('\n');
        foreach (var run in Runs)
        {
            var p = run.Parameters;
            string status = StatusOf(run);
            var record = status == "complete" || status == "failed" ? ReadRecord(run) : null;
            long? bytes = status == "complete" ? new FileInfo(PathOf(run)).Length : null;
            var provenance = status == "complete" ? record?.Provenance : null;
            sb.Append(Csv.Line(
                Csv.Field(run.File), Csv.Num(p.Density), Csv.Num(p.Tumble), Csv.Num(run.Replica),
                Csv.Num(p.Nx), Csv.Num(p.Ny), Csv.Num(p.Speed), Csv.Num(p.Warmup), Csv.Num(p.EffectiveInterval),
                p.Seed.ToString(CultureInfo.InvariantCulture), Csv.Num(p.Snapshots), status,
                record?.Seconds is { } s && status == "complete" ? s.ToString("0.###", CultureInfo.InvariantCulture) : "",
                Csv.Num(bytes), Csv.Field(provenance?.Version ?? ""), Csv.Field(provenance?.CommandLine ?? ""),
                Csv.Field(provenance?.CreatedUtc ?? ""), Csv.Field(provenance?.Host ?? ""))).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(Folder, ManifestFile), sb.ToString()); // under the lock: one writer at a time
    }


    private FileStream AcquireLock()
    {
        var path = Path.Combine(Folder, LockFile);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(50 + Random.Shared.Next(50));
            }
        }
    }


    /// <summary>
    /// PepLab's one rule for the trajectory files a path names, used by every command that reads
    /// runs (analyse, plot, export, train, evaluate, experiments):
    /// <list type="bullet">
    /// <item>a file names itself;</item>
    /// <item>a data-set folder (holding <c>sample.json</c>) names its planned runs whose files exist,
    /// in grid order (density, P_t, replica); other files in it are not runs of the data set;</item>
    /// <item>any other folder names its own <c>*.h5</c> files (sorted by name), then, folder by folder
    /// (sorted by name), what each sub-folder names by these rules; so a folder of data sets names
    /// all their runs. Folders whose name starts with '.' are skipped.</item>
    /// </list>
    /// Temporary files of unfinished writes (<see cref="AtomicFile"/>) are never named. A path that
    /// does not exist, or a folder that names no file, is refused with <see cref="PepLabInputException"/>.
    /// </summary>
    public static IReadOnlyList<string> TrajectoryFiles(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (!Directory.Exists(path)) throw new PepLabInputException(path, "no such file or folder");
        var files = new List<string>();
        Collect(Path.GetFullPath(path), files);
        if (files.Count == 0) throw new PepLabInputException(path, "holds no trajectory files (*.h5)");
        return files;
    }

    private static void Collect(string folder, List<string> files)
    {
        if (IsDataSet(folder))
        {
            var set = Open(folder);
            files.AddRange(set.Runs.Select(set.PathOf).Where(File.Exists));
            return;
        }
        files.AddRange(Directory.EnumerateFiles(folder, "*" + RunName.Extension)
            .Where(f => f.EndsWith(RunName.Extension, StringComparison.Ordinal) && !AtomicFile.IsTemporary(f))
            .Order(StringComparer.Ordinal));
        foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            if (!Path.GetFileName(sub).StartsWith('.')) Collect(sub, files);
    }
}
