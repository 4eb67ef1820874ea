using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PepLab.Core;

/// <summary>
/// One job of a campaign: a single job or a job array running one <c>pep</c> command, started when
/// the stages it depends on have all ended well (<c>--dependency=afterok</c>).
/// </summary>
public sealed record SlurmStage
{
    /// <summary>Short name, used for the script (<c>slurm/NAME.sbatch</c>), its logs and the job name.</summary>
    public required string Name { get; init; }
    /// <summary>The shell command the job runs; array tasks find their index in <c>$SLURM_ARRAY_TASK_ID</c>.</summary>
    public required string Command { get; init; }
    /// <summary>Array size the script is written for (0..Size-1); 0 for a single job.</summary>
    public int ArraySize { get; init; }
    /// <summary>The array tasks still to run (all when null); an empty list means the stage is done and is not submitted.</summary>
    public IReadOnlyList<int>? Pending { get; init; }
    /// <summary>A single job with nothing left to do (not submitted).</summary>
    public bool Done { get; init; }
    /// <summary>Cores of each job or task unless the options set them.</summary>
    public int Cpus { get; init; } = 1;
    /// <summary>Whether the GPU options apply (training jobs).</summary>
    public bool Gpu { get; init; }
    /// <summary>Names of earlier stages this one waits for.</summary>
    public IReadOnlyList<string> After { get; init; } = [];
    /// <summary>The shell word of a task's array index, for <see cref="Command"/>.</summary>
    public const string TaskIndex = "\"$SLURM_ARRAY_TASK_ID\"";

    /// <summary>The shell word of the cores SLURM gave the job (1 outside SLURM), for <see cref="Command"/>.</summary>
    public const string Cores = "\"${SLURM_CPUS_PER_TASK:-1}\"";

    /// <summary>One line for the person submitting: what this job does.</summary>
    public string Description { get; init; } = "";

    /// <summary>True for a job array.</summary>
    public bool IsArray => ArraySize > 0;

    /// <summary>True when nothing of this stage is left to run.</summary>
    public bool IsDone => IsArray ? Pending is { Count: 0 } : Done;
}

/// <summary>A job PepLab submitted, as recorded in <c>slurm/jobs.json</c> next to the work it does.</summary>
public sealed record SlurmJobRecord
{
    public required string Stage { get; init; }
    public required string Id { get; init; }
    /// <summary>The array tasks submitted (e.g. "0-3,7"); null for a single job.</summary>
    public string? Tasks { get; init; }
    public required string Script { get; init; }
    /// <summary>Log file pattern (sbatch's <c>%A</c>, <c>%a</c>, <c>%j</c>).</summary>
    public required string Log { get; init; }
    public required string SubmittedUtc { get; init; }
}

/// <summary>A job or array task in SLURM's queue.</summary>
/// <param name="JobId">The job's id (an array's own id for its tasks).</param>
/// <param name="Task">The array task, or null for a single job.</param>
/// <param name="State">PENDING, RUNNING, COMPLETING...</param>
/// <param name="Reason">Why it waits (Dependency, Resources, DependencyNeverSatisfied...).</param>
public sealed record SlurmQueueEntry(string JobId, int? Task, string State, string Reason);

/// <summary>
/// PepLab's campaigns on SLURM, through SLURM's own tools (sbatch, squeue): writes one batch script
/// per stage into <c>FOLDER/slurm/</c>, submits the stages in order, each depending on the ones before
/// it (<c>afterok</c>, with <c>--kill-on-invalid-dep=yes</c> so a failure cancels what waits for it),
/// records the jobs in <c>FOLDER/slurm/jobs.json</c>, and refuses a second submission while jobs of
/// the first are still queued or running. Stages say what is left to do; finished work is never
/// submitted again.
/// </summary>
public sealed class SlurmCampaign
{
    /// <summary>The folder under the work folder that holds scripts, logs and the job record.</summary>
    public const string FolderName = "slurm";
    public const string JobsFile = "jobs.json";
    public const string LogsFolder = "logs";

    private static JsonSerializerOptions Json => PepLabJson.OmitNulls;

    /// <param name="folder">The work folder (a data set, a model folder, an experiment).</param>
    /// <param name="options">The user's sbatch options (validated here).</param>
    /// <param name="workingDirectory">Where the jobs run (relative paths in their commands are relative to it).</param>
    public SlurmCampaign(string folder, SlurmOptions options, string? workingDirectory = null)
    {
        Folder = Path.GetFullPath(folder);
        Options = options.Validate();
        WorkingDirectory = Path.GetFullPath(workingDirectory ?? Environment.CurrentDirectory);
        if (ScriptFolder.Any(c => char.IsWhiteSpace(c) || c is '%' or '\'' or '"'))
            throw new PepLabInputException("out", $"'{Folder}' contains white space, quotes or '%', which #SBATCH lines cannot carry; use another folder");
    }

    public string Folder { get; }
    public SlurmOptions Options { get; }
    public string WorkingDirectory { get; }
    public string ScriptFolder => Path.Combine(Folder, FolderName);
    public string ScriptPath(string stage) => Path.Combine(ScriptFolder, stage + ".sbatch");
    public static string JobsPath(string folder) => Path.Combine(folder, FolderName, JobsFile);

    /// <summary>How this very program is called, for scripts that run it again on the cluster's nodes.</summary>
    public static string CurrentPepCommand()
    {
        var process = Environment.ProcessPath ?? "pep";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet && !string.IsNullOrEmpty(entry) ? $"{Provenance.ShellQuote(process)} {Provenance.ShellQuote(entry)}" : Provenance.ShellQuote(process);
    }

    /// <summary>Writes every stage's script (the only files a dry run creates) and returns their paths.</summary>
    public IReadOnlyList<string> WriteScripts(IReadOnlyList<SlurmStage> stages)
    {
        Directory.CreateDirectory(ScriptFolder);
        var paths = new List<string>();
        foreach (var stage in stages)
        {
            string path = ScriptPath(stage.Name);
            AtomicFile.WriteAllText(path, Script(stage));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                           UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>The log file pattern of a stage.</summary>
    public string LogPattern(SlurmStage stage) =>
        Path.Combine(ScriptFolder, LogsFolder, stage.IsArray ? $"{stage.Name}-%A_%a.out" : $"{stage.Name}-%j.out");

    /// <summary>The batch script of <paramref name="stage"/>.</summary>
    public string Script(SlurmStage stage)
    {
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append($"# PepLab: {stage.Description}\n");
        s.Append("# Written by PepLab ").Append(PepLabVersion.Current).Append(". Submitting the same pep command again submits only the unfinished work.\n");
        s.Append($"#SBATCH --job-name=pep-{stage.Name}\n");
        s.Append($"#SBATCH --output={LogPattern(stage)}\n");
        if (stage.IsArray) s.Append($"#SBATCH --array={ArraySpec(Enumerable.Range(0, stage.ArraySize))}\n");
        foreach (var line in Options.SbatchLines(stage.Cpus, stage.Gpu)) s.Append("#SBATCH ").Append(line).Append('\n');
        s.Append("set -euo pipefail\n");
        s.Append("cd ").Append(Provenance.ShellQuote(WorkingDirectory)).Append('\n');
        if (Options.Setup is { } setup) s.Append(setup).Append('\n');
        s.Append(stage.Command).Append('\n');
        return s.ToString();
    }

    /// <summary>sbatch's <c>--array</c> value for <paramref name="tasks"/>: ranges (0-3,7,9-10), and %K when limited.</summary>
    public string ArraySpec(IEnumerable<int> tasks)
    {
        var sorted = tasks.Distinct().Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? I(sorted[i]) : $"{I(sorted[i])}-{I(sorted[j])}");
            i = j + 1;
        }
        return string.Join(',', parts) + (Options.ArrayParallel is { } k ? "%" + I(k) : "");
    }

    /// <summary>The sbatch arguments of a stage (before the script), given its dependencies' job ids.</summary>
    private List<string> SbatchArguments(SlurmStage stage, IReadOnlyList<string> dependencies)
    {
        var args = new List<string> { "--parsable" };
        if (dependencies.Count > 0)
        {
            args.Add("--dependency=afterok:" + string.Join(':', dependencies));
            args.Add("--kill-on-invalid-dep=yes");
        }
        if (stage.IsArray) args.Add("--array=" + ArraySpec(stage.Pending ?? Enumerable.Range(0, stage.ArraySize).ToList()));
        return args;
    }

    /// <summary>
    /// The shell lines that submit the stages left to do, in order, as a dry run prints them; each
    /// job's id goes into a shell variable the later ones depend on.
    /// </summary>
    public IReadOnlyList<string> SubmitCommands(IReadOnlyList<SlurmStage> stages)
    {
        var lines = new List<string>();
        var submitted = new HashSet<string>();
        foreach (var stage in stages.Where(s => !s.IsDone))
        {
            var deps = stage.After.Where(submitted.Contains).Select(d => "$" + Variable(d)).ToList();
            lines.Add($"{Variable(stage.Name)}=$(sbatch {string.Join(' ', SbatchArguments(stage, deps))} {Provenance.ShellQuote(ScriptPath(stage.Name))})");
            submitted.Add(stage.Name);
        }
        return lines;
    }

    private static string Variable(string stage) => new(stage.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    /// <summary>
    /// Submits the stages left to do in order (each after the ones it depends on that were submitted)
    /// and records them in <c>slurm/jobs.json</c>. Refuses while jobs recorded before are still in the
    /// queue: two submissions would write the same files.
    /// </summary>
    /// <returns>The jobs submitted, in order.</returns>
    public IReadOnlyList<SlurmJobRecord> Submit(IReadOnlyList<SlurmStage> stages)
    {
        RefuseWhileQueued();
        WriteScripts(stages);
        Directory.CreateDirectory(Path.Combine(ScriptFolder, LogsFolder));
        var ids = new Dictionary<string, string>();
        var records = new List<SlurmJobRecord>();
        foreach (var stage in stages.Where(s => !s.IsDone))
        {
            var args = SbatchArguments(stage, stage.After.Where(ids.ContainsKey).Select(d => ids[d]).ToList());
            args.Add(ScriptPath(stage.Name));
            var (code, output, error) = RunTool("sbatch", args);
            string id = output.Trim().Split(';')[0];
            if (code != 0 || id.Length == 0)
            {
                Record(records);
                throw new IOException($"sbatch refused the {stage.Name} job ({code}): {error.Trim().ReplaceLineEndings(" ")}" +
                                      (records.Count > 0 ? $"; jobs already submitted: {string.Join(", ", records.Select(r => r.Id))}" : ""));
            }
            ids[stage.Name] = id;
            records.Add(new SlurmJobRecord
            {
                Stage = stage.Name, Id = id, Script = ScriptPath(stage.Name), Log = LogPattern(stage),
                Tasks = stage.IsArray ? ArraySpec(stage.Pending ?? Enumerable.Range(0, stage.ArraySize).ToList()).Split('%')[0] : null,
                SubmittedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            });
        }
        Record(records);
        return records;
    }

    /// <summary>
    /// Refuses, before anything is written, when sbatch is not on this machine or a job recorded for
    /// this folder is still queued or running.
    /// </summary>
    public void RefuseWhileQueued()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (!path.Any(folder => File.Exists(Path.Combine(folder, "sbatch"))))
            throw new PepLabInputException("slurm", "sbatch was not found on this machine (use --dry-run to only write the scripts)");
        var known = ReadJobs(Folder);
        if (known.Count == 0) return;
        var queue = SlurmQueue.Read();
        if (queue is null) return;
        var live = known.Where(j => queue.Any(q => q.JobId == j.Id)).Select(j => $"{j.Stage} {j.Id}").Distinct().ToList();
        if (live.Count > 0)
            throw new PepLabInputException("slurm", $"jobs of an earlier submission are still queued or running ({string.Join(", ", live)}); " +
                                                    "wait for them (pep status) or cancel them with scancel, then submit again");
    }

    private void Record(IReadOnlyList<SlurmJobRecord> added)
    {
        if (added.Count == 0) return;
        var all = ReadJobs(Folder).Concat(added).ToList();
        AtomicFile.WriteAllText(JobsPath(Folder), JsonSerializer.Serialize(new JobsDocument { Jobs = all }, Json) + "\n");
    }

    /// <summary>The jobs PepLab submitted for <paramref name="folder"/>, oldest first (none when it never submitted any).</summary>
    public static IReadOnlyList<SlurmJobRecord> ReadJobs(string folder)
    {
        string path = JobsPath(folder);
        if (!File.Exists(path)) return [];
        try
        {
            return JsonSerializer.Deserialize<JobsDocument>(File.ReadAllText(path), Json)?.Jobs
                   ?? throw new BadFileException(path, "holds no job list");
        }
        catch (JsonException e)
        {
            throw new BadFileException(path, $"is not a PepLab job record ({e.Message})");
        }
    }

    private sealed record JobsDocument
    {
        public string Format { get; init; } = "peplab.slurm-jobs";
        public IReadOnlyList<SlurmJobRecord> Jobs { get; init; } = [];
    }

    /// <summary>
    /// Waits until none of <paramref name="jobs"/> is in the queue any more, telling
    /// <paramref name="report"/> whenever the count of queued and running tasks changes.
    /// </summary>
    public static void Wait(IReadOnlyList<SlurmJobRecord> jobs, Action<string> report, CancellationToken cancellation, TimeSpan? poll = null)
    {
        var ids = jobs.Select(j => j.Id).ToHashSet();
        string last = "";
        while (true)
        {
            var queue = SlurmQueue.Read() ?? throw new PepLabInputException("slurm", "squeue was not found on this machine; cannot wait for the jobs");
            var mine = queue.Where(q => ids.Contains(q.JobId)).ToList();
            if (mine.Count == 0) return;
            string now = string.Join("; ", jobs.Select(j => (j.Stage, Entries: mine.Where(q => q.JobId == j.Id).ToList()))
                .Where(x => x.Entries.Count > 0)
                .Select(x => $"{x.Stage}: " + string.Join(", ", x.Entries.GroupBy(e => e.State.ToLowerInvariant()).Select(g => $"{g.Count()} {g.Key}"))));
            if (now != last) report(now);
            last = now;
            if (cancellation.WaitHandle.WaitOne(poll ?? TimeSpan.FromSeconds(3))) cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Runs a SLURM tool; a missing tool is one line saying so.</summary>
    internal static (int Code, string Output, string Error) RunTool(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new PepLabInputException("slurm", $"{tool} was not found on this machine (use --dry-run to only write the scripts)");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result, error.Result);
        }
    }

    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
}

/// <summary>SLURM's queue as <c>squeue</c> shows it, one entry per job or array task.</summary>
public static class SlurmQueue
{
    /// <summary>The queue's jobs and tasks, or null when squeue is not on this machine or the controller does not answer.</summary>
    public static IReadOnlyList<SlurmQueueEntry>? Read()
    {
        (int Code, string Output, string Error) result;
        try
        {
            result = SlurmCampaign.RunTool("squeue", ["--noheader", "--array", "--format=%F|%K|%T|%r"]);
        }
        catch (PepLabInputException)
        {
            return null;
        }
        if (result.Code != 0) return null;
        var entries = new List<SlurmQueueEntry>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length < 4) continue;
            int? task = int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? t : null;
            entries.Add(new SlurmQueueEntry(f[0], task, f[2], f[3]));
        }
        return entries;
    }
}
