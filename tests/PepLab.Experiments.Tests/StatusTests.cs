using System.Text.Json;
using PepLab.Core;

namespace PepLab.Experiments.Tests;

/// <summary><c>pep status</c> on an experiment folder: before anything ran, with jobs in a (stand-in) queue, and done.</summary>
public class StatusTests
{
    private static JsonElement Status(string folder)
    {
        var (code, output, err) = Pep.Run($"status \"{folder}\" --json");
        Assert.True(code == 0, err);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public void DryRunFolderHasEverythingMissingAndLocalRunEverythingDone()
    {
        using var dir = new PepLab.Tests.TempDir();
        string folder = dir.File("x");
        var (code, _, err) = Pep.Run($"experiment baseline --tiny --out \"{folder}\" --slurm --dry-run", dir.Path);
        Assert.True(code == 0, err);

        var before = Status(folder);
        Assert.Equal("experiment", before.GetProperty("kind").GetString());
        Assert.Equal("baseline", before.GetProperty("name").GetString());
        Assert.False(before.GetProperty("done").GetBoolean());
        foreach (var d in before.GetProperty("data").EnumerateArray())
        {
            Assert.Equal(0, d.GetProperty("complete").GetInt32());
            Assert.Equal(d.GetProperty("runs").GetInt32(), d.GetProperty("pending").GetInt32());
        }
        Assert.NotEmpty(before.GetProperty("trainings").EnumerateArray());
        Assert.All(before.GetProperty("trainings").EnumerateArray(), t => Assert.Equal("missing", t.GetProperty("state").GetString()));
        Assert.Equal("missing", before.GetProperty("report").GetString());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("eta_seconds").ValueKind);
        var (_, text, _) = Pep.Run($"status \"{folder}\"");
        Assert.Contains("sample: not started", text);
        Assert.Contains("report: not yet", text);

        (code, _, err) = Pep.Run($"experiment baseline --tiny --out \"{folder}\" --quiet", dir.Path);
        Assert.True(code == 0, err);
        var after = Status(folder);
        Assert.True(after.GetProperty("done").GetBoolean());
        Assert.All(after.GetProperty("data").EnumerateArray(), d => Assert.Equal(d.GetProperty("runs").GetInt32(), d.GetProperty("complete").GetInt32()));
        Assert.All(after.GetProperty("trainings").EnumerateArray(), t => Assert.Equal("finished", t.GetProperty("state").GetString()));
        Assert.Equal("written", after.GetProperty("report").GetString());
        Assert.Equal(0, after.GetProperty("eta_seconds").GetDouble());
    }

    [Fact]
    public void QueueStateComesFromSqueueForTheRecordedJobs()
    {
        using var dir = new PepLab.Tests.TempDir();
        string folder = dir.File("x");
        var (code, _, err) = Pep.Run($"experiment baseline --tiny --out \"{folder}\" --slurm --dry-run", dir.Path);
        Assert.True(code == 0, err);
        string logs = Path.Combine(folder, "slurm", "logs");
        File.WriteAllText(Path.Combine(folder, "slurm", "jobs.json"), JsonSerializer.Serialize(new
        {
            format = "peplab.slurm-jobs",
            jobs = new object[]
            {
                new { stage = "sample", id = "100", tasks = "0-11", script = "s", log = Path.Combine(logs, "sample-%A_%a.out"), submitted_utc = "2026-01-01T00:00:00Z" },
                new { stage = "train", id = "101", tasks = "0", script = "t", log = Path.Combine(logs, "train-%A_%a.out"), submitted_utc = "2026-01-01T00:00:00Z" },
                new { stage = "report", id = "102", script = "r", log = Path.Combine(logs, "report-%j.out"), submitted_utc = "2026-01-01T00:00:00Z" },
            },
        }));
        IReadOnlyList<SlurmQueueEntry> queue =
        [
            new("100", 0, "RUNNING", "None"), new("100", 1, "RUNNING", "None"), new("100", 2, "PENDING", "Resources"),
            new("101", 0, "PENDING", "Dependency"), new("102", null, "PENDING", "Dependency"), new("999", null, "RUNNING", "None"),
        ];
        var status = ExperimentStatus.Of(folder, () => queue);
        var lines = status.Describe().ToList();
        Assert.Contains("queue: sample job 100: 2 running, 1 pending (Resources)", lines);
        Assert.Contains("queue: train job 101: 1 pending (Dependency)", lines);
        Assert.Contains("queue: report job 102: 1 pending (Dependency)", lines);
        Assert.Equal("train-101_0.out", Path.GetFileName(status.Trainings[0].Log));

        var none = ExperimentStatus.Of(folder, () => null);
        Assert.Contains("queue: squeue not found, no queue information", none.Describe());
        Assert.False(none.ToJsonObject()["queue"]!["squeue"]!.GetValue<bool>());
    }
}
