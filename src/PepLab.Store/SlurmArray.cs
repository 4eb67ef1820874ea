using System.Globalization;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>
/// A sweep as a SLURM job array: array task I runs its chunk of consecutive runs with
/// <c>pep sample --out DIR --task I --runs-per-task C</c>. Tasks write distinct files into one data
/// set; a task whose runs are all complete is not submitted again.
/// </summary>
public static class SlurmArray
{
    /// <summary>The stage's name: its script is <c>slurm/sample.sbatch</c>.</summary>
    public const string StageName = "sample";

    /// <summary>Number of array tasks for <paramref name="runs"/> runs.</summary>
    public static int TaskCount(int runs, int runsPerTask) => (runs + runsPerTask - 1) / runsPerTask;

    /// <summary>The run indices of array task <paramref name="task"/>.</summary>
    public static IReadOnlyCollection<int> RunsOfTask(int task, int runsPerTask, int runs)
    {
        if (runsPerTask < 1) throw new PepLabInputException("runsPerTask", $"must be at least 1 (got {runsPerTask})");
        if (task < 0 || task >= TaskCount(runs, runsPerTask))
            throw new PepLabInputException("task", $"must be in 0..{TaskCount(runs, runsPerTask) - 1} (got {task})");
        int start = task * runsPerTask;
        return Enumerable.Range(start, Math.Min(runsPerTask, runs - start)).ToList();
    }

    /// <summary>The array tasks of <paramref name="set"/> that still have a run to do.</summary>
    public static IReadOnlyList<int> PendingTasks(DataSet set, int runsPerTask) =>
        Enumerable.Range(0, TaskCount(set.Runs.Count, runsPerTask))
            .Where(t => RunsOfTask(t, runsPerTask, set.Runs.Count).Any(i => !set.IsComplete(set.Runs[i])))
            .ToList();

    /// <summary>
    /// The sampling stage of a campaign: one array task per chunk of <paramref name="runsPerTask"/>
    /// runs, only the unfinished ones pending; each task runs its runs on the cores SLURM gave it.
    /// </summary>
    public static SlurmStage Stage(DataSet set, int runsPerTask, string pepCommand, string name = StageName, int cpus = 1)
    {
        if (runsPerTask < 1) throw new PepLabInputException("runsPerTask", $"must be at least 1 (got {runsPerTask})");
        string per = runsPerTask.ToString(CultureInfo.InvariantCulture);
        return new SlurmStage
        {
            Name = name,
            Command = $"exec {pepCommand} sample --out {Provenance.ShellQuote(set.Folder)} --task \"$SLURM_ARRAY_TASK_ID\" --runs-per-task {per} " +
                      "--jobs \"${SLURM_CPUS_PER_TASK:-1}\"",
            ArraySize = TaskCount(set.Runs.Count, runsPerTask),
            Pending = PendingTasks(set, runsPerTask),
            Cpus = cpus,
            Description = $"sampling {set.Runs.Count} runs into {set.Folder}, {per} per array task",
        };
    }
}
