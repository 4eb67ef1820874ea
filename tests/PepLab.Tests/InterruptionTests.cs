namespace PepLab.Tests;

/// <summary>SIGTERM (a batch system's time limit) and Ctrl-C stop a command cleanly and leave a state the same command resumes.</summary>
public class InterruptionTests
{
    private static readonly string[] Sample =
    [
        "sample", "--nx", "48", "--ny", "48", "--density", "0.3", "--tumbles", "0.01,0.02,0.05,0.1", "--replicas", "3",
        "--snapshots", "1500", "--interval", "2", "--warmup", "10", "--seed", "3", "--jobs", "1", "--out", "s", "--quiet",
    ];

    [Theory]
    [InlineData(PepProcess.SigTerm, 143, "SIGTERM")]
    [InlineData(2, 130, "Ctrl-C")]
    public void SampleStoppedBySignalKeepsFinishedRunsLeavesNoPartialAndResumes(int signal, int expectedCode, string name)
    {
        using var dir = new TempDir();
        string folder = dir.File("s");
        int code;
        string output, error;
        using (var run = PepProcess.Start(dir.Path, Sample))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!run.HasExited && clock.Elapsed.TotalSeconds < 120 && !(Directory.Exists(folder) && Finished(folder).Length > 0)) Thread.Sleep(20);
            Assert.False(run.HasExited, "the sweep ended before it could be interrupted");
            run.Signal(signal);
            (code, output, error) = run.Wait();
        }
        Assert.Equal(expectedCode, code);
        Assert.Empty(output);
        string line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith($"pep sample: interrupted by {name}; kept ", line);
        Assert.Contains("continues with the rest", line);
        Assert.Empty(Directory.GetFiles(folder, "*.partial", SearchOption.AllDirectories));
        var kept = Finished(folder).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.InRange(kept.Count, 1, 11);

        // The same command again finishes the sweep and leaves the finished runs as they were.
        (code, _, error) = PepCli.Run(dir.Path, Sample);
        Assert.True(code == 0, error);
        Assert.Equal(12, Finished(folder).Length);
        foreach (var (file, time) in kept) Assert.Equal(time, File.GetLastWriteTimeUtc(file));
    }

    private static string[] Finished(string folder) => Directory.GetFiles(folder, "*.h5");
}
