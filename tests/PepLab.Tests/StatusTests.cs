using System.Text.Json;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary><c>pep status</c> on a data set: counts, failures with their logs, an estimate, and JSON.</summary>
public class StatusTests
{
    [Fact]
    public void PartlySampledDataSetReportsCountsFailureLogAndJson()
    {
        using var dir = new TempDir();
        string data = dir.File("d");
        var (code, _, err) = PepCli.Run(dir.Path, "sample", "--densities", "0.1,0.2", "--tumbles", "0.1,0.01", "--replicas", "2", "--nx", "16", "--ny", "16",
            "--warmup", "10", "--snapshots", "5", "--seed", "1", "--out", data, "--quiet");
        Assert.True(code == 0, err);
        var set = DataSet.Open(data);
        Assert.Equal(8, set.Runs.Count);
        File.Delete(set.PathOf(set.Runs[2]));
        File.Delete(set.PathOf(set.Runs[5]));
        set.Record(set.Runs[5], new DataSet.RunRecord("failed", 1.5, null, "out of memory", "node7", DateTime.UtcNow));
        // As if swept by a SLURM array of 2 runs per task: run 5 was task 2 of job 4242.
        Directory.CreateDirectory(Path.Combine(data, "slurm"));
        string script = Path.Combine(data, "slurm", "sample.sbatch");
        File.WriteAllText(script, "#!/bin/bash\nexec pep sample --out d --task \"$SLURM_ARRAY_TASK_ID\" --runs-per-task 2\n");
        File.WriteAllText(Path.Combine(data, "slurm", "jobs.json"), JsonSerializer.Serialize(new
        {
            format = "peplab.slurm-jobs",
            jobs = new[] { new { stage = "sample", id = "4242", tasks = "0-3", script, log = Path.Combine(data, "slurm", "logs", "sample-%A_%a.out"), submitted_utc = "2026-01-01T00:00:00Z" } },
        }));

        (code, string output, err) = PepCli.Run(dir.Path, "status", data);
        Assert.True(code == 0, err);
        Assert.Contains("6 of 8 runs complete, 0 running, 1 failed, 1 pending", output);
        Assert.Contains("out of memory", output);
        Assert.Contains("sample-4242_2.out", output);
        Assert.Contains("queue:", output);

        (code, output, err) = PepCli.Run(dir.Path, "status", data, "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("dataset", root.GetProperty("kind").GetString());
        Assert.Equal(8, root.GetProperty("runs").GetInt32());
        Assert.Equal(6, root.GetProperty("complete").GetInt32());
        Assert.Equal(0, root.GetProperty("running").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.Equal(1, root.GetProperty("pending").GetInt32());
        var failure = root.GetProperty("failures")[0];
        Assert.Equal(set.Runs[5].File, failure.GetProperty("file").GetString());
        Assert.Equal("out of memory", failure.GetProperty("error").GetString());
        Assert.Equal(Path.Combine(data, "slurm", "logs", "sample-4242_2.out"), failure.GetProperty("logs")[0].GetString());
        Assert.Equal(set.Runs[2].Work + set.Runs[5].Work, root.GetProperty("work_left").GetDouble());
        Assert.True(root.GetProperty("eta_seconds").GetDouble() > 0);
        Assert.Equal("4242", root.GetProperty("queue").GetProperty("jobs")[0].GetProperty("job_id").GetString());
    }

    [Fact]
    public void FolderOfNothingKnownIsOneLineAndExitCode2()
    {
        using var dir = new TempDir();
        var (code, output, err) = PepCli.Run(dir.Path, "status", dir.Path);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains($"pep status: error: {dir.Path}: is not an experiment", err);
    }
}
