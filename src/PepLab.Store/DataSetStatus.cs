using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>A failed run: its last error and the log files to read.</summary>
/// <param name="File">The run's file, relative to the data set.</param>
/// <param name="Error">The error its record holds.</param>
/// <param name="Logs">The SLURM log of its array task, or, when which task ran it is unknown, every log of the stage (none for a local sweep).</param>
public sealed record FailedRun(string File, string? Error, IReadOnlyList<string> Logs);

/// <summary>
/// How far a data set's sampling is (what <c>pep status</c> shows for a data set): runs complete,
/// running, failed and pending, the failures with the logs to read, and an estimate of the time left
/// from the rate seen so far.
/// </summary>
public sealed record DataSetStatus
{
    public required string Folder { get; init; }
    /// <summary>The SLURM stage that samples it ("sample", or "sample-SIZE" in an experiment).</summary>
    public required string Stage { get; init; }
    public required int Runs { get; init; }
    public required int Complete { get; init; }
    /// <summary>Runs being written now: their temporary file is locked by a live writer, or it exists and their array task is RUNNING in squeue.</summary>
    public required int Running { get; init; }
    public required int Failed { get; init; }
    /// <summary>Runs not started, or interrupted (a temporary nobody writes, cleared when the sweep resumes).</summary>
    public required int Pending { get; init; }
    public required IReadOnlyList<FailedRun> Failures { get; init; }
    /// <summary>Particle updates of the runs not complete.</summary>
    public required double WorkLeft { get; init; }
    /// <summary>Seconds per particle update seen over the complete runs (NaN before the first).</summary>
    public required double SecondsPerUpdate { get; init; }
    /// <summary>Runs or array tasks working at once, as the estimate assumes: those running now, at least 1.</summary>
    public required int Parallel { get; init; }
    /// <summary>Seconds left: <see cref="WorkLeft"/> × <see cref="SecondsPerUpdate"/> / <see cref="Parallel"/>; 0 when done, NaN when no rate is known.</summary>
    public required double EtaSeconds { get; init; }
    /// <summary>The SLURM jobs recorded for the folder that holds the campaign and their queue state.</summary>
    public required SlurmQueueView Queue { get; init; }

    /// <summary>True when every run is complete.</summary>
    public bool IsDone => Complete == Runs;

    private static readonly Regex RunsPerTaskOption = new(@"--runs-per-task\s+(\d+)", RegexOptions.CultureInvariant);

    /// <summary>
    /// The status of the data set in <paramref name="folder"/>.
    /// </summary>
    /// <param name="folder">The data set (its sample.json).</param>
    /// <param name="queue">The SLURM jobs of the campaign that samples it (<see cref="SlurmQueueView.None"/> for none).</param>
    /// <param name="stage">The campaign's stage that samples it.</param>
    /// <param name="runsPerTask">Runs per array task; when null, read from the stage's latest script (<c>--runs-per-task N</c>), if any.</param>
    /// <param name="campaignFolder">The folder holding <c>slurm/</c> (default: the data set).</param>
    public static DataSetStatus Of(string folder, SlurmQueueView queue, string stage = SlurmArray.StageName, int? runsPerTask = null,
        string? campaignFolder = null)
    {
        var set = DataSet.Open(folder);
        runsPerTask ??= RunsPerTaskOf(queue.Jobs, stage);
        var runningTasks = queue.RunningTasks(stage);
        int complete = 0, running = 0, pending = 0;
        double seconds = 0, doneWork = 0, workLeft = 0;
        var failures = new List<FailedRun>();
        foreach (var run in set.Runs)
        {
            string status = set.StatusOf(run);
            if (status == "complete")
            {
                complete++;
                if (set.ReadRecord(run) is { Seconds: > 0 and var s } && double.IsFinite(s))
                {
                    seconds += s;
                    doneWork += run.Work;
                }
                continue;
            }
            workLeft += run.Work;
            int? task = runsPerTask is { } per ? run.Index / per : null;
            if (status == "failed")
                failures.Add(new FailedRun(run.File, set.ReadRecord(run)?.Error, LogsOf(queue.Jobs, campaignFolder ?? set.Folder, stage, task)));
            else if (status == "incomplete" && (AtomicFile.IsBeingWritten(set.PathOf(run)) || task is { } t && runningTasks.Contains(t)))
                running++;
            else
                pending++;
        }
        double rate = doneWork > 0 ? seconds / doneWork : double.NaN;
        int parallel = Math.Max(1, Math.Max(running, runningTasks.Count));
        return new DataSetStatus
        {
            Folder = set.Folder, Stage = stage, Runs = set.Runs.Count, Complete = complete, Running = running, Failed = failures.Count,
            Pending = pending, Failures = failures, WorkLeft = workLeft, SecondsPerUpdate = rate, Parallel = parallel,
            EtaSeconds = workLeft == 0 ? 0 : workLeft * rate / parallel, Queue = queue,
        };
    }

    /// <summary>The status of a data set sampled on its own (<c>pep sample</c>, its jobs in its own <c>slurm/</c>).</summary>
    public static DataSetStatus Read(string folder) => Of(folder, SlurmQueueView.Read(folder));

    /// <summary>Runs per array task, from the <c>--runs-per-task N</c> of the stage's latest script; null when unknown.</summary>
    private static int? RunsPerTaskOf(IReadOnlyList<SlurmJobRecord> jobs, string stage)
    {
        if (jobs.LastOrDefault(j => j.Stage == stage) is not { } job || !File.Exists(job.Script)) return null;
        var match = RunsPerTaskOption.Match(File.ReadAllText(job.Script));
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int per) && per > 0 ? per : null;
    }

    private static IReadOnlyList<string> LogsOf(IReadOnlyList<SlurmJobRecord> jobs, string campaignFolder, string stage, int? task)
    {
        if (jobs.Count == 0) return [];
        if (task is { } t && SlurmLogs.ForTask(jobs, stage, t) is { } log) return [log];
        return SlurmLogs.Existing(campaignFolder, stage);
    }

    /// <summary>
    /// A few lines for people: the counts and estimate, each failure with its log, and (when
    /// <paramref name="withQueue"/>) the queue.
    /// </summary>
    public IEnumerable<string> Describe(bool withQueue = true)
    {
        yield return $"data set {Folder}: {Complete} of {Runs} runs complete, {Running} running, {Failed} failed, {Pending} pending" +
                     (IsDone ? "" : $"; ETA {Durations.Describe(EtaSeconds)}" + (Parallel > 1 ? $" at {Parallel} at once" : ""));
        foreach (var f in Failures.Take(10))
            yield return $"  failed: {f.File}: {f.Error ?? "(no error recorded)"}" + (f.Logs.Count > 0 ? $"; log: {string.Join(", ", f.Logs.TakeLast(3))}" : "");
        if (Failures.Count > 10) yield return $"  ... and {Failures.Count - 10} more failed runs (--json lists all)";
        if (withQueue)
            foreach (var line in Queue.Describe()) yield return line;
    }

    /// <summary>The status as a JSON object (snake_case; NaN and infinities as null).</summary>
    public JsonObject ToJsonObject(bool withQueue = true)
    {
        var json = new JsonObject
        {
            ["kind"] = "dataset",
            ["folder"] = Folder,
            ["stage"] = Stage,
            ["runs"] = Runs,
            ["complete"] = Complete,
            ["running"] = Running,
            ["failed"] = Failed,
            ["pending"] = Pending,
            ["failures"] = new JsonArray(Failures.Select(f => (JsonNode?)new JsonObject
            {
                ["file"] = f.File, ["error"] = f.Error, ["logs"] = new JsonArray(f.Logs.Select(l => (JsonNode?)l).ToArray()),
            }).ToArray()),
            ["work_left"] = PepLabJson.Number(WorkLeft),
            ["seconds_per_update"] = PepLabJson.Number(SecondsPerUpdate),
            ["parallel"] = Parallel,
            ["eta_seconds"] = PepLabJson.Number(EtaSeconds),
        };
        if (withQueue) json["queue"] = Queue.ToJson();
        return json;
    }

    /// <summary>The status as indented JSON (what <c>pep status --json</c> prints for a data set).</summary>
    public string ToJson() => PepLabJson.Text(ToJsonObject());
}
