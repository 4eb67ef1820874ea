using System.Diagnostics;
using System.Globalization;
using System.Text;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>Options of a SLURM job array for a sweep.</summary>
public sealed record SlurmOptions
{
    /// <summary>Runs per array task (chunks of consecutive runs).</summary>
    public int RunsPerTask { get; init; } = 1;
    /// <summary>At most this many tasks at once (<c>--array=0-N%K</c>); null = no limit.</summary>
    public int? ArrayParallel { get; init; }
    public string? Partition { get; init; }
    /// <summary>Wall-time limit per task in SLURM's syntax (e.g. 01:00:00).</summary>
    public string? Time { get; init; }
    public int CpusPerTask { get; init; } = 1;
    public string? Account { get; init; }
    public string JobName { get; init; } = "pep-sample";

    /// <summary>Refuses counts below 1; returns the options.</summary>
    public SlurmOptions Validate()
    {
        if (RunsPerTask < 1) throw new PepLabInputException("runsPerTask", $"must be at least 1 (got {RunsPerTask})");
        if (ArrayParallel is < 1) throw new PepLabInputException("arrayParallel", $"must be at least 1 (got {ArrayParallel})");
        if (CpusPerTask < 1) throw new PepLabInputException("cpusPerTask", $"must be at least 1 (got {CpusPerTask})");
        return this;
    }
}

/// <summary>
/// Sweeps on a cluster through SLURM's own job arrays: a batch script with one array task per
/// chunk of runs, each task calling <c>pep sample --out DIR --task I --runs-per-task C</c> for its
/// share. Tasks write distinct files into one data set; completed runs are skipped, so a failed
/// task is re-run by submitting the script again.
/// </summary>
public static class SlurmArray
{
    public const string ScriptName = "sample.sbatch";

    /// <summary>Number of array tasks for <paramref name="runs"/> runs.</summary>
    public static int TaskCount(int runs, int runsPerTask) => (runs + runsPerTask - 1) / runsPerTask;

    /// <summary>The run indices of array task <paramref name="task"/>.</summary>
    public static IReadOnlyCollection<int> RunsOfTask(int task, int runsPerTask, int runs)
    {
        if (task < 0 || task >= TaskCount(runs, runsPerTask))
            throw new PepLabInputException("task", $"must be in 0..{TaskCount(runs, runsPerTask) - 1} (got {task})");
        int start = task * runsPerTask;
        return Enumerable.Range(start, Math.Min(runsPerTask, runs - start)).ToList();
    }

    /// <summary>Writes the batch script into <c>DATASET/slurm/</c> and returns its path.</summary>
    /// <param name="set">The data set the tasks fill.</param>
    /// <param name="options">Array size, partition, time limit...</param>
    /// <param name="pepCommand">How to call pep on the cluster's nodes (absolute path, or "dotnet /path/pep.dll").</param>
    public static string WriteScript(DataSet set, SlurmOptions options, string pepCommand)
    {
        options.Validate();
        int tasks = TaskCount(set.Runs.Count, options.RunsPerTask);
        var dir = Path.Combine(set.Folder, "slurm");
        if (dir.Any(char.IsWhiteSpace))
            throw new PepLabInputException("out", $"'{set.Folder}' contains white space, which #SBATCH lines cannot carry; use another folder");
        Directory.CreateDirectory(dir);
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append("# PepLab sweep as a SLURM job array: one task per chunk of runs.\n");
        s.Append("# Re-submit this script to redo failed or missing runs; complete runs are skipped.\n");
        s.Append($"#SBATCH --job-name={options.JobName}\n");
        s.Append($"#SBATCH --array=0-{tasks - 1}{(options.ArrayParallel is { } k ? "%" + k.ToString(CultureInfo.InvariantCulture) : "")}\n");
        s.Append($"#SBATCH --cpus-per-task={options.CpusPerTask}\n");
        s.Append("#SBATCH --ntasks=1\n");
        s.Append($"#SBATCH --output={Path.Combine(dir, "task-%A_%a.out")}\n");
        if (options.Partition is { } part) s.Append($"#SBATCH --partition={part}\n");
        if (options.Time is { } time) s.Append($"#SBATCH --time={time}\n");
        if (options.Account is { } acct) s.Append($"#SBATCH --account={acct}\n");
        s.Append("set -euo pipefail\n");
        s.Append($"{pepCommand} sample --out {Quote(set.Folder)} --task \"$SLURM_ARRAY_TASK_ID\" --runs-per-task {options.RunsPerTask} " +
                 $"--jobs \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet\n");
        var path = Path.Combine(dir, ScriptName);
        AtomicFile.WriteAllText(path, s.ToString());
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                   UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>Submits the script with <c>sbatch --parsable</c> and returns the job id.</summary>
    public static string Submit(string script, bool wait = false)
    {
        var psi = new ProcessStartInfo("sbatch")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--parsable");
        if (wait) psi.ArgumentList.Add("--wait");
        psi.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new PepLabInputException("slurm", $"sbatch was not found on this machine; the script is at {script} (use --dry-run to only write it)");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var id = stdout.Result.Trim().Split(';')[0];
            if (process.ExitCode != 0 && (!wait || id.Length == 0))
                throw new IOException($"sbatch failed ({process.ExitCode}): {stderr.Result.Trim()}");
            return id;
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>How this very program is called, for scripts that run it again elsewhere.</summary>
    public static string CurrentPepCommand()
    {
        var process = Environment.ProcessPath ?? "pep";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet && !string.IsNullOrEmpty(entry) ? $"{Quote(process)} {Quote(entry)}" : Quote(process);
    }
}
