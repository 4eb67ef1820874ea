using PepLab.Core;
using PepLab.Tests;

namespace PepLab.Learn.Tests;

public sealed class TrainingEtaTests
{
    [Fact]
    public void The_first_epoch_projects_its_own_length_onto_the_epochs_left()
    {
        var eta = new TrainingEta(epochs: 10);
        eta.EpochStarted(1, frames: 1000);
        var (epoch, run) = eta.Estimate(done: 250, elapsed: 5);   // 50 frames/s
        Assert.Equal(15, epoch, 9);                               // 750 frames left
        Assert.Equal(15 + 9 * 20, run, 9);                        // the epoch would take 20 s; 9 more like it
    }

    [Fact]
    public void Later_epochs_use_the_mean_of_the_completed_epochs_validation_included()
    {
        var eta = new TrainingEta(epochs: 10);
        eta.EpochStarted(1, 1000);
        eta.EpochDone(30);
        eta.EpochStarted(2, 1000);
        eta.EpochDone(50);
        eta.EpochStarted(3, 1000);
        Assert.Equal(40, eta.MeanEpochSeconds, 9);
        var (epoch, run) = eta.Estimate(500, 10);
        Assert.Equal(10, epoch, 9);
        Assert.Equal(10 + 7 * 40, run, 9);
    }

    [Fact]
    public void The_last_epoch_has_no_epochs_after_it_and_a_finished_epoch_has_nothing_left()
    {
        var eta = new TrainingEta(epochs: 3);
        eta.EpochStarted(3, 100);
        Assert.Equal((1.0, 1.0), eta.Estimate(50, 1));
        Assert.Equal((0.0, 0.0), eta.Estimate(100, 2));
    }

    [Fact]
    public void Nothing_is_known_before_the_first_frame()
    {
        var eta = new TrainingEta(epochs: 2);
        eta.EpochStarted(1, 100);
        var (epoch, run) = eta.Estimate(0, 3);
        Assert.True(double.IsNaN(epoch) && double.IsNaN(run));
        Assert.Equal("--:--:--", Durations.Clock(run));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingEta(0));
    }

    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(4.4, "00:00:04")]
    [InlineData(70, "00:01:10")]
    [InlineData(100_000, "27:46:40")]
    [InlineData(double.PositiveInfinity, "--:--:--")]
    [InlineData(-1, "--:--:--")]
    public void Clock_reads_hours_minutes_seconds_without_wrapping_at_a_day(double seconds, string expected) =>
        Assert.Equal(expected, Durations.Clock(seconds));

    [Fact]
    public void Train_in_a_log_prints_the_epoch_and_run_eta()
    {
        using var dir = new TempDir();
        var tiny = TestData.Tiny(dir.File("data"), [0.01, 0.3], replicas: 2, frames: 40, side: 16);
        // stderr is redirected (not a terminal): plain lines at each quarter of an epoch.
        var (code, _, error) = Pep.Run($"train \"{tiny}\" --layers \"CONV(4,k3,s2,circular) => GAP => FC(1)\" --epochs 2 --batch 4 --threads 1 --out \"{dir.File("m")}\"");
        Assert.True(code == 0, error);
        var lines = error.Split('\n').Where(l => l.Contains("% (", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
            Assert.Matches(@"^epoch [12]/2: (25|50|75)% \([\d.]+ k? ?frames/s, epoch ETA (\d\d:\d\d:\d\d|--:--:--), run ETA \d\d:\d\d:\d\d\)\r?$", line);
        Assert.Contains(lines, l => l.StartsWith("epoch 2/2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("train --model ", "peplab,seed-deep,seed-starter")]
    [InlineData("train --device c", "cpu,cuda")]
    [InlineData("train --augment ", "all,d4,none,roll,rolls13")]
    [InlineData("train --split ", "random,time,trajectory")]
    [InlineData("train --loss ", "huber,mae,mse,nll")]
    [InlineData("train --schedule ", "cosine,none,plateau")]
    [InlineData("train --encoding ", "occupancy,onehot,ordinal")]
    [InlineData("train --target ", "identity,log")]
    [InlineData("train --head ", "gaussian,point")]
    [InlineData("experiment ", "baseline,densities,lattice-size,mixed-densities,rolling,steady")]
    [InlineData("experiment r", "rolling")]
    [InlineData("evaluate --device ", "auto,cpu,cuda")]
    [InlineData("model export --to ", "pytorch")]
    public void Option_values_complete_through_the_suggest_directive(string line, string expected)
    {
        var (code, output, error) = PepCli.Run(Environment.CurrentDirectory, $"[suggest:{line.Length}]", line);
        Assert.True(code == 0, error);
        var words = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(w => w[0] is not ('-' or '/')).Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(',', words));
    }
}
