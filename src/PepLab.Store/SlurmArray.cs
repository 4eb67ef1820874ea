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
    /// The sampling stage of a sweep into <paramref name="folder"/>: one array task per chunk of
    /// <paramref name="runsPerTask"/> runs, only the unfinished ones pending (all while the folder
    /// holds no data set yet). Each task runs <paramref name="command"/> (a <c>pep sample</c> that
    /// names the grid and the folder) for its share, on the cores SLURM gave it. Checks that an
    /// existing data set in the folder is this one; creates nothing.
    /// </summary>
    public static SlurmStage Stage(string folder, SampleSpec spec, int runsPerTask, string command)
    {
        if (runsPerTask < 1) throw new PepLabInputException("runsPerTask", $"must be at least 1 (got {runsPerTask})");
        var existing = DataSet.CheckResume(folder, spec);
        int runs = spec.Plan().Count;
        string per = runsPerTask.ToString(CultureInfo.InvariantCulture);
        return new SlurmStage
        {
            Name = StageName,
            Command = $"{command} --task {SlurmStage.TaskIndex} --runs-per-task {per} --jobs {SlurmStage.Cores}",
            ArraySize = TaskCount(runs, runsPerTask),
            Pending = existing is null ? Enumerable.Range(0, TaskCount(runs, runsPerTask)).ToList() : PendingTasks(existing, runsPerTask),
            Description = $"sampling {runs} runs into {Path.GetFullPath(folder)}, {per} per array task",
        };
    }
}
