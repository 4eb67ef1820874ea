using System.Text.Json;

namespace PepLab.Learn.Tests;

/// <summary><c>pep status</c> on a model folder: a training running, then killed, reports N of M epochs.</summary>
public class StatusTests
{
    private static JsonElement Status(string folder)
    {
        var (code, output, err) = PepCli.Run($"status \"{folder}\" --json");
        Assert.True(code == 0, err);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public void InterruptedTrainingReportsEpochsDoneOfPlanned()
    {
        using var dir = new TempDir();
        string data = TestData.Tiny(dir.File("data"), [0.01, 0.1], replicas: 2, frames: 160, side: 16), model = dir.File("m");
        using (var run = PepProcess.Start(dir.Path, "train", data, "--layers", "CONV(4,k3,s2,circular) => GAP => FC(1)", "--epochs", "200",
                   "--batch", "16", "--threads", "1", "--seed", "3", "--out", model, "--quiet"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(model, "checkpoint.bin")) && !run.HasExited && clock.Elapsed.TotalSeconds < 120) Thread.Sleep(20);
            Assert.True(File.Exists(Path.Combine(model, "checkpoint.bin")), "no checkpoint appeared");
            var running = Status(model);
            Assert.Equal("running", running.GetProperty("state").GetString());
            Assert.Equal(200, running.GetProperty("epochs_planned").GetInt32());
            Assert.True(running.GetProperty("eta_seconds").GetDouble() > 0);
            Assert.False(run.HasExited, "the status probe disturbed the training");
            run.Signal(PepProcess.SigKill);
            Assert.Equal(137, run.Wait().Code);
        }
        var status = Status(model);
        Assert.Equal("model", status.GetProperty("kind").GetString());
        Assert.Equal("interrupted", status.GetProperty("state").GetString());
        int done = status.GetProperty("epochs_done").GetInt32();
        Assert.InRange(done, 1, 199);
        Assert.Equal(200, status.GetProperty("epochs_planned").GetInt32());
        Assert.True(status.GetProperty("seconds_per_epoch").GetDouble() > 0);
        var (_, text, _) = PepCli.Run($"status \"{model}\"");
        Assert.Contains($"interrupted after {done} of 200 epoch(s)", text);
    }
}
