using System.Globalization;
using System.Text.Json.Nodes;

namespace PepLab.Core;

/// <summary>
/// Where a recorded job stands in SLURM's queue (what <c>pep status</c> shows): its tasks pending
/// (with why they wait), running, in another state, or none left in the queue ("gone": ended, well or
/// not; the work's own files say which).
/// </summary>
/// <param name="Job">The job as <c>slurm/jobs.json</c> records it.</param>
/// <param name="Pending">Tasks (or the single job) waiting.</param>
/// <param name="Running">Tasks running (or completing).</param>
/// <param name="RunningTasks">The array indices of <paramref name="Running"/> (empty for a single job).</param>
/// <param name="Other">Tasks in another state (suspended, requeued...).</param>
/// <param name="Reasons">Why the pending ones wait (Dependency, Resources, DependencyNeverSatisfied...), distinct.</param>
public sealed record SlurmJobState(SlurmJobRecord Job, int Pending, int Running, IReadOnlyList<int> RunningTasks, int Other, IReadOnlyList<string> Reasons)
{
    /// <summary>True when nothing of the job is in the queue any more.</summary>
    public bool Gone => Pending + Running + Other == 0;

    /// <summary>The latest recorded job of each stage, with its queue state from <paramref name="queue"/>.</summary>
    public static IReadOnlyList<SlurmJobState> Of(IReadOnlyList<SlurmJobRecord> jobs, IReadOnlyList<SlurmQueueEntry> queue) =>
        Latest(jobs).Select(job =>
        {
            var mine = queue.Where(q => q.JobId == job.Id).ToList();
            var running = mine.Where(q => q.State is "RUNNING" or "COMPLETING").ToList();
            var pending = mine.Where(q => q.State == "PENDING").ToList();
            return new SlurmJobState(job, pending.Count, running.Count, running.Where(q => q.Task is not null).Select(q => q.Task!.Value).Order().ToList(),
                mine.Count - running.Count - pending.Count,
                pending.Select(q => q.Reason).Where(r => r.Length > 0 && r != "None").Distinct().ToList());
        }).ToList();

    /// <summary>The latest recorded job of each stage, in the order the stages were first submitted.</summary>
    public static IReadOnlyList<SlurmJobRecord> Latest(IReadOnlyList<SlurmJobRecord> jobs) =>
        jobs.GroupBy(j => j.Stage).Select(g => g.Last()).ToList();

    /// <summary>One phrase: "3 running, 5 pending (Dependency)", or "no longer queued".</summary>
    public string Describe()
    {
        if (Gone) return "no longer queued";
        var parts = new List<string>();
        if (Running > 0) parts.Add($"{Running} running");
        if (Pending > 0) parts.Add($"{Pending} pending" + (Reasons.Count > 0 ? $" ({string.Join(", ", Reasons)})" : ""));
        if (Other > 0) parts.Add($"{Other} in another state");
        return string.Join(", ", parts);
    }

    /// <summary>The state as JSON (snake_case, as <c>pep status --json</c> prints it).</summary>
    public JsonObject ToJson() => new()
    {
        ["stage"] = Job.Stage,
        ["job_id"] = Job.Id,
        ["tasks"] = Job.Tasks,
        ["submitted_utc"] = Job.SubmittedUtc,
        ["state"] = Gone ? "gone" : Running > 0 ? "running" : Pending > 0 ? "pending" : "other",
        ["pending"] = Pending,
        ["running"] = Running,
        ["other"] = Other,
        ["reasons"] = new JsonArray(Reasons.Select(r => (JsonNode?)r).ToArray()),
    };
}

/// <summary>The log files of SLURM jobs PepLab submitted (<see cref="SlurmCampaign.LogPattern"/>).</summary>
public static class SlurmLogs
{
    /// <summary>
    /// The log of array task <paramref name="task"/> (null for a single job) of <paramref name="job"/>:
    /// its pattern with <c>%A</c>, <c>%j</c> as the job id and <c>%a</c> as the task.
    /// </summary>
    public static string PathOf(SlurmJobRecord job, int? task) =>
        job.Log.Replace("%A", job.Id).Replace("%j", job.Id).Replace("%a", task?.ToString(CultureInfo.InvariantCulture) ?? "");

    /// <summary>True when array task <paramref name="task"/> is among the job's tasks ("0-3,7"; a single job has none).</summary>
    public static bool HasTask(SlurmJobRecord job, int task)
    {
        if (job.Tasks is null) return false;
        foreach (var part in job.Tasks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-');
            if (!int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)) continue;
            int last = ends.Length > 1 && int.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : first;
            if (task >= first && task <= last) return true;
        }
        return false;
    }

    /// <summary>
    /// The log to read for array task <paramref name="task"/> of <paramref name="stage"/>: that of the
    /// latest job of the stage that ran it, or null when no recorded job did.
    /// </summary>
    public static string? ForTask(IReadOnlyList<SlurmJobRecord> jobs, string stage, int task) =>
        jobs.LastOrDefault(j => j.Stage == stage && HasTask(j, task)) is { } job ? PathOf(job, task) : null;

    /// <summary>The log files of <paramref name="stage"/> that exist under <paramref name="folder"/>'s <c>slurm/logs/</c>, oldest first.</summary>
    public static IReadOnlyList<string> Existing(string folder, string stage)
    {
        string logs = Path.Combine(folder, SlurmCampaign.FolderName, SlurmCampaign.LogsFolder);
        return Directory.Exists(logs)
            ? Directory.EnumerateFiles(logs, stage + "-*.out").Where(f => !Path.GetFileName(f)[(stage.Length + 1)..].Contains('-'))
                .OrderBy(File.GetLastWriteTimeUtc).ToList()
            : [];
    }
}

/// <summary>
/// The SLURM jobs recorded for a work folder and, when <c>squeue</c> answers, where each stands.
/// Without SLURM (or without recorded jobs) it says so and holds no states.
/// </summary>
/// <param name="Jobs">Every job of <c>slurm/jobs.json</c>, oldest first.</param>
/// <param name="States">The latest job of each stage with its queue state; null when squeue did not answer.</param>
public sealed record SlurmQueueView(IReadOnlyList<SlurmJobRecord> Jobs, IReadOnlyList<SlurmJobState>? States)
{
    /// <summary>No recorded job.</summary>
    public static readonly SlurmQueueView None = new([], []);

    /// <summary>
    /// The jobs recorded for <paramref name="folder"/> and their queue state; <paramref name="squeue"/>
    /// (default <see cref="SlurmQueue.Read"/>) is asked only when there are jobs.
    /// </summary>
    public static SlurmQueueView Read(string folder, Func<IReadOnlyList<SlurmQueueEntry>?>? squeue = null)
    {
        var jobs = SlurmCampaign.ReadJobs(folder);
        if (jobs.Count == 0) return None;
        var queue = (squeue ?? SlurmQueue.Read)();
        return new SlurmQueueView(jobs, queue is null ? null : SlurmJobState.Of(jobs, queue));
    }

    /// <summary>True when squeue answered (or there was nothing to ask it).</summary>
    public bool Available => States is not null;

    /// <summary>The array tasks of <paramref name="stage"/>'s latest job that are running now (none when unknown).</summary>
    public IReadOnlySet<int> RunningTasks(string stage) =>
        States?.FirstOrDefault(s => s.Job.Stage == stage)?.RunningTasks.ToHashSet() ?? [];

    /// <summary>The queue state of <paramref name="stage"/>'s latest job, if known.</summary>
    public SlurmJobState? StateOf(string stage) => States?.FirstOrDefault(s => s.Job.Stage == stage);

    /// <summary>One line per stage ("queue: sample 1234: 3 running, 5 pending (Dependency)"), or one line saying why there is none.</summary>
    public IEnumerable<string> Describe()
    {
        if (Jobs.Count == 0) yield return "queue: no SLURM jobs recorded";
        else if (States is null) yield return "queue: squeue not found, no queue information";
        else
            foreach (var s in States)
                yield return $"queue: {s.Job.Stage} job {s.Job.Id}: {s.Describe()}";
    }

    /// <summary>
    /// <c>{"squeue": true|false|null, "note": ..., "jobs": [...]}</c>: <c>squeue</c> is whether it answered
    /// (null when there was no job to ask about), <c>note</c> the phrase saying why there is no queue
    /// information, <c>jobs</c> the latest job of each stage (with its state when known).
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["squeue"] = Jobs.Count == 0 ? null : Available,
        ["note"] = Jobs.Count == 0 || States is null ? Describe().First()["queue: ".Length..] : null,
        ["jobs"] = new JsonArray((States ?? SlurmJobState.Latest(Jobs).Select(j => new SlurmJobState(j, 0, 0, [], 0, [])).ToList())
            .Select(s =>
            {
                var json = s.ToJson();
                if (States is null)
                    foreach (var key in new[] { "state", "pending", "running", "other", "reasons" }) json[key] = null;
                return (JsonNode?)json;
            }).ToArray()),
    };
}
