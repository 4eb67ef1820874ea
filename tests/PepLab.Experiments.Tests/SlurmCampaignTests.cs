using System.Text.Json;
using PepLab.Core;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

/// <summary>
/// Experiments, trainings and evaluations as SLURM jobs on the one-node cluster .ci/slurm-up starts
/// (skipped without it, a failure with PEPLAB_REQUIRE_TOOLS=1); the dry run needs no SLURM.
/// </summary>
public class SlurmCampaignTests
{
    /// <summary>A small baseline with enough epochs to stop a training half-way.</summary>
    private const string Config = """
        kind = "baseline"
        question = "SLURM campaign test"
        seeds = [1]

        [data]
        nx = 24
        ny = 24
        densities = [0.1, 0.2]
        tumbles = [0.02, 0.1]
        replicas = 2
        snapshots = 40
        warmup = 20

        [train]
        model = "peplab"
        epochs = 25
        hold_out_replica = 1
        """;

    /// <summary>Scores without the measured times and memory, which no two runs share.</summary>
    private static List<string> Scores(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        return doc.RootElement.GetProperty("scores").EnumerateArray()
            .Select(s => string.Join(";", s.EnumerateObject().Where(p => p.Name is not ("train_seconds" or "peak_memory_mib")).Select(p => $"{p.Name}={p.Value}")))
            .ToList();
    }

    private static IReadOnlyList<SlurmJobRecord> Jobs(string folder) => SlurmCampaign.ReadJobs(folder);

    private static void WaitUntil(Func<bool> condition, string what, int seconds = 180)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed.TotalSeconds < seconds, $"timed out waiting for {what}");
            Thread.Sleep(100);
        }
    }

    /// <summary><c>pep status DIR --json</c>, parsed.</summary>
    private static JsonElement Status(string folder)
    {
        var (code, output, error) = Pep.Run($"status {folder} --json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    private static bool InQueue(string id) => (SlurmQueue.Read() ?? []).Any(e => e.JobId == id);

    [Fact]
    public void DryRunWritesTheScriptsAndTheConfigTheyReadAndNothingElse()
    {
        using var dir = new TempDir();
        string root = dir.File("exp");
        var (code, output, error) = Pep.Run($"experiment baseline --tiny --out {root} --slurm --dry-run --partition short --time 00:20:00 " +
                                            "--mem 2G --qos normal --account lab --sbatch=--constraint=avx512 --setup \"module load dotnet\" --threads 2", dir.Path);
        Assert.True(code == 0, error);
        Assert.Equal(["config.toml", "experiment.json", "rerun.sh", "slurm"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order());
        Assert.Equal(["report.sbatch", "sample.sbatch", "train.sbatch"], Directory.GetFiles(Path.Combine(root, "slurm")).Select(Path.GetFileName).Order());
        string train = File.ReadAllText(Path.Combine(root, "slurm", "train.sbatch"));
        foreach (var line in new[] { "#SBATCH --partition=short", "#SBATCH --time=00:20:00", "#SBATCH --mem=2G", "#SBATCH --qos=normal", "#SBATCH --account=lab",
                     "#SBATCH --constraint=avx512", "#SBATCH --cpus-per-task=2", "#SBATCH --array=0", "\nmodule load dotnet\n", "--stage train --task \"$SLURM_ARRAY_TASK_ID\" --threads 2" })
            Assert.Contains(line, train);
        // The job runs the same pep as the one that wrote it.
        Assert.Contains(Path.GetFileName(PepCli.Dll), train);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("sample=$(sbatch --parsable --array=0-5 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("train=$(sbatch --parsable --dependency=afterok:$sample --kill-on-invalid-dep=yes --array=0 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("report=$(sbatch --parsable --dependency=afterok:$sample:$train ", StringComparison.Ordinal));

        var status = Status(root);
        Assert.False(status.GetProperty("done").GetBoolean());
        Assert.Equal(0, status.GetProperty("data")[0].GetProperty("complete").GetInt32());
        Assert.Equal("missing", status.GetProperty("trainings")[0].GetProperty("state").GetString());

        // Bad SLURM values are refused before anything is written.
        foreach (var bad in new[] { "--time 2h", "--mem 4GB", "--partition \"a b\"", "--sbatch constraint", "--cpus-per-task 0" })
        {
            string other = dir.File("other");
            (code, _, error) = Pep.Run($"experiment baseline --tiny --out {other} --slurm --dry-run {bad}", dir.Path);
            Assert.Equal(2, code);
            Assert.Single(error.Trim().Split('\n'));
            Assert.False(Directory.Exists(other), bad);
        }
        (code, _, error) = Pep.Run($"experiment baseline --tiny --out {dir.File("x")} --partition short", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("--slurm", error);
    }

    [Fact]
    public void StatusOfASweepSubmittedButNotStartedShowsItsJobs()
    {
        using var dir = new TempDir();
        string folder = dir.File("sweep");
        Directory.CreateDirectory(Path.Combine(folder, "slurm"));
        File.WriteAllText(Path.Combine(folder, "slurm", "jobs.json"), """
            {"format": "peplab.slurm-jobs", "jobs": [{"stage": "sample", "id": "4242", "tasks": "0-3", "script": "s.sbatch",
             "log": "logs/sample-%A_%a.out", "submitted_utc": "2026-12-01T10:00:00Z"}]}
            """);
        var status = Status(folder);
        Assert.Equal("jobs", status.GetProperty("kind").GetString());
        Assert.Equal("4242", status.GetProperty("queue").GetProperty("jobs")[0].GetProperty("job_id").GetString());
        var (code, output, _) = Pep.Run($"status {folder}");
        Assert.Equal(0, code);
        Assert.Contains("submitted, nothing written yet", output);
    }

    [Fact]
    public void ACampaignOnSlurmEndsWithTheLocalRunsNumbers()
    {
        ExternalTools.RequireSlurm();
        using var dir = new TempDir();
        string cluster = dir.File("cluster"), local = dir.File("local");
        var (code, output, error) = Pep.Run($"experiment baseline --tiny --out {cluster} --slurm --wait", dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        Assert.Equal(["sample", "train", "report"], Jobs(cluster).Select(j => j.Stage));
        ReportChecks.CheckReport(cluster);
        (code, _, error) = Pep.Run($"experiment baseline --tiny --out {local} --quiet", dir.Path);
        Assert.True(code == 0, error);
        Assert.Equal(Scores(local), Scores(cluster));
        // Every task's log ends with what it wrote.
        foreach (var log in Directory.GetFiles(Path.Combine(cluster, "slurm", "logs"), "sample-*.out"))
            Assert.Matches(@"^task \d+: 1 run\(s\) written", File.ReadAllLines(log)[^1]);
        Assert.StartsWith("task 0: wrote ", File.ReadAllLines(Directory.GetFiles(Path.Combine(cluster, "slurm", "logs"), "train-*.out").Single())[^1]);

        // Everything is done: the same command submits nothing.
        (code, output, error) = Pep.Run($"experiment baseline --tiny --out {cluster} --slurm", dir.Path);
        Assert.True(code == 0, error);
        Assert.Contains("nothing to submit", output);
        Assert.Equal(3, Jobs(cluster).Count);
    }

    [Fact]
    public void CancelledTasksAreResubmittedAloneAndTheTrainingResumes()
    {
        ExternalTools.RequireSlurm();
        using var dir = new TempDir();
        string config = dir.File("small.toml"), cluster = dir.File("cluster"), local = dir.File("local");
        File.WriteAllText(config, Config);
        string command = $"experiment baseline --config {config} --out {cluster} --slurm --array-parallel 1";

        // Sampling tasks wait a moment before they start, so one can be cancelled while it runs.
        // The wait is longer than the queue's report can lag on a loaded machine: with 2 s, a task
        // once finished its run before the cancel reached it.
        var (code, output, error) = Pep.Run($"{command} --setup \"sleep 6\"", dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        var first = Jobs(cluster);
        string sample = first.Single(j => j.Stage == "sample").Id;
        WaitUntil(() => (SlurmQueue.Read() ?? []).Any(e => e.JobId == sample && e.Task == 1 && e.State == "RUNNING"), "sample task 1 to run");
        Assert.Equal(0, ExternalTools.Run("scancel", $"{sample}_1").Code);
        // The failed array cancels the jobs that wait for it.
        WaitUntil(() => first.All(j => !InQueue(j.Id)), "the first submission to leave the queue");
        Assert.False(File.Exists(Path.Combine(cluster, "results.json")));
        var kept = Directory.GetFiles(Path.Combine(cluster, "data"), "*.h5").ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.Equal(7, kept.Count);
        var status = Status(cluster);
        Assert.Equal(7, status.GetProperty("data")[0].GetProperty("complete").GetInt32());
        Assert.Equal(1, status.GetProperty("data")[0].GetProperty("pending").GetInt32() + status.GetProperty("data")[0].GetProperty("failed").GetInt32());
        Assert.Equal("missing", status.GetProperty("trainings")[0].GetProperty("state").GetString());

        // Again: only the cancelled task's run is sampled; the training starts and is cancelled after a few epochs.
        (code, output, error) = Pep.Run(command, dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        var second = Jobs(cluster).Skip(first.Count).ToList();
        Assert.Equal("1", second.Single(j => j.Stage == "sample").Tasks);
        string train = second.Single(j => j.Stage == "train").Id;
        string history = Path.Combine(cluster, "models", "cnn-seed1", "history.csv");
        WaitUntil(() => File.Exists(history) && File.ReadAllLines(history).Length >= 3, "two epochs of training", 300);
        Assert.Equal(0, ExternalTools.Run("scancel", train).Code);
        WaitUntil(() => second.All(j => !InQueue(j.Id)), "the second submission to leave the queue");
        Assert.True(File.Exists(Path.Combine(cluster, "models", "cnn-seed1", "checkpoint.bin")));
        status = Status(cluster);
        Assert.Equal(8, status.GetProperty("data")[0].GetProperty("complete").GetInt32());
        var training = status.GetProperty("trainings")[0];
        Assert.Equal("interrupted", training.GetProperty("state").GetString());
        Assert.InRange(training.GetProperty("epochs_done").GetInt32(), 2, 24);

        // Once more: no sampling at all, the training resumes from its checkpoint, then the report.
        (code, output, error) = Pep.Run($"{command} --wait", dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        var third = Jobs(cluster).Skip(first.Count + second.Count).ToList();
        Assert.Equal(["train", "report"], third.Select(j => j.Stage));
        string log = Directory.GetFiles(Path.Combine(cluster, "slurm", "logs"), $"train-{third[0].Id}_0.out").Single();
        Assert.Contains("resuming after epoch", File.ReadAllText(log));
        foreach (var (file, stamp) in kept) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));

        Assert.True(Status(cluster).GetProperty("done").GetBoolean());
        (code, _, error) = Pep.Run($"experiment baseline --config {config} --out {local} --quiet", dir.Path);
        Assert.True(code == 0, error);
        Assert.Equal(Scores(local), Scores(cluster));
    }

    [Fact]
    public void TrainAndEvaluateRunAsJobsOfTheirOwn()
    {
        ExternalTools.RequireSlurm();
        using var dir = new TempDir();
        string data = dir.File("data"), model = dir.File("model");
        var (code, _, error) = Pep.Run($"sample --densities 0.1 --tumbles 0.02,0.1 --replicas 2 --nx 16 --ny 16 --snapshots 30 --warmup 10 --out {data} --quiet", dir.Path);
        Assert.True(code == 0, error);
        (code, var output, error) = Pep.Run($"train {data} --epochs 2 --hold-out-replica 1 --out {model} --slurm --wait", dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        Assert.True(File.Exists(Path.Combine(model, "model.json")));
        Assert.Contains("--resume", File.ReadAllText(Path.Combine(model, "slurm", "train.sbatch")));
        (code, output, error) = Pep.Run($"evaluate {model} {data} --select-replicas 1 --out {dir.File("eval")} --slurm --wait", dir.Path);
        Assert.True(code == 0, $"{output}\n{error}");
        Assert.True(File.Exists(Path.Combine(dir.File("eval"), "metrics.json")));
        (code, output, _) = Pep.Run($"train {data} --epochs 2 --hold-out-replica 1 --out {model} --slurm", dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("nothing to submit", output);
    }
}
