using System.Diagnostics;
using System.Text.Json.Nodes;
using PepLab.Experiments;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

/// <summary>
/// An experiment killed as a cluster kills a job (SIGKILL at a random moment, or SIGTERM at its time
/// limit) and started again with the same command ends with the same scores as one never
/// interrupted, and leaves no half-written file under a final name.
/// </summary>
public class ExperimentInterruptionTests
{
    [Fact]
    public void KilledAtRandomMomentsAndRerunEndsWithTheScoresOfAnUninterruptedRun()
    {
        using var dir = new TempDir();
        string[] Args(string folder) => ["experiment", "steady", "--tiny", "--out", folder, "--jobs", "1", "--threads", "1", "--quiet"];

        var clock = Stopwatch.StartNew();
        using (var whole = PepProcess.Start(dir.Path, Args("whole")))
        {
            var (code, _, err) = whole.Wait(600_000);
            Assert.True(code == 0, err);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var expected = Scores(dir.File("whole"));

        var random = new Random(Environment.TickCount);
        foreach (int signal in new[] { PepProcess.SigKill, PepProcess.SigTerm })
        {
            string folder = dir.File(signal == PepProcess.SigKill ? "killed" : "terminated");
            using (var run = PepProcess.Start(dir.Path, Args(folder)))
            {
                Thread.Sleep(TimeSpan.FromSeconds(seconds * (0.2 + 0.6 * random.NextDouble())));
                if (!run.HasExited) run.Signal(signal);
                var (code, _, err) = run.Wait(600_000);
                if (signal == PepProcess.SigTerm && code != 0)
                {
                    Assert.Equal(143, code);
                    Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                }
            }
            AssertNothingHalfWritten(folder);

            using (var again = PepProcess.Start(dir.Path, Args(folder)))
            {
                var (code, _, err) = again.Wait(600_000);
                Assert.True(code == 0, $"rerun after signal {signal}: {err}");
            }
            Assert.Equal(expected, Scores(folder));
        }
    }

    /// <summary>Every score of results.json but the run-time figures (seconds, memory), as text.</summary>
    private static List<string> Scores(string folder)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Experiment.ResultsFile)))!;
        var scores = json["scores"]!.AsArray();
        Assert.NotEmpty(scores);
        return scores.Select(s =>
        {
            var o = s!.AsObject().DeepClone().AsObject();
            foreach (var key in o.Select(p => p.Key).Where(k => k.Contains("second") || k.Contains("memory")).ToList()) o.Remove(key);
            return o.ToJsonString();
        }).ToList();
    }

    /// <summary>Every HDF5 file under its final name opens as a trajectory and all its frames read back valid.</summary>
    private static void AssertNothingHalfWritten(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.EnumerateFiles(folder, "*.h5", SearchOption.AllDirectories))
        {
            using var reader = PepLab.Store.TrajectoryReader.Open(file);
            Assert.True(reader.Count > 0, file);
            PepLab.Store.FrameSourceExtensions.Verify(reader);
        }
    }
}
