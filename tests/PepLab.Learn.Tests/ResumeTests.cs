namespace PepLab.Learn.Tests;

/// <summary>
/// Interrupted training: kills at random moments and resumes, SIGTERM, a second training of the same
/// folder. Every check runs the real <c>pep</c> as a child process, as a batch system would stop it.
/// </summary>
public class ResumeTests
{
    // Dropout (libtorch's generator), batch normalisation, random rolls and symmetries (the loader's
    // generators) and a cosine schedule (the step count): all must come back exactly on resume.
    private const string Layers = "CONV(4,k3,s2,circular) => BN => DO(0.3) => GAP => FC(8) => DO(0.2) => FC(1)";

    private static string[] TrainArgs(string data, string model, int epochs, params string[] more) =>
    [
        "train", data, "--layers", Layers, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", "16",
        "--augment", "all", "--schedule", "cosine", "--threads", "1", "--seed", "11", "--out", model, "--quiet", .. more,
    ];

    private static string Data(TempDir dir) => TestData.Tiny(dir.File("data"), [0.01, 0.1], replicas: 2, frames: 160, side: 16);

    /// <summary>history.csv without the timing columns (seconds, samples/s), which no two runs share.</summary>
    private static string[] History(string model) =>
        File.ReadAllLines(Path.Combine(model, "history.csv")).Select(l => string.Join(',', l.Split(',')[..6])).ToArray();

    private static void WaitFor(string path, PepProcess process)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(path) && !process.HasExited && clock.Elapsed.TotalSeconds < 120) Thread.Sleep(20);
        Assert.True(File.Exists(path), $"{path} did not appear");
    }

    [Fact]
    public void KilledAtRandomMomentsAndResumedEndsIdenticalToAnUninterruptedRun()
    {
        using var dir = new TempDir();
        string data = Data(dir), reference = dir.File("reference"), resumed = dir.File("resumed");
        var (code, _, error) = PepProcess.Start(dir.Path, TrainArgs(data, reference, 4)).Wait();
        Assert.True(code == 0, error);

        var random = new Random(2026);
        var kills = new List<string>();
        // The first kill lands after the first checkpoint; later ones anywhere (start-up, an epoch, writing files).
        for (int attempt = 0; ; attempt++)
        {
            using var run = PepProcess.Start(dir.Path, TrainArgs(data, resumed, 4, "--resume"));
            if (attempt == 0) WaitFor(Path.Combine(resumed, "checkpoint.bin"), run);
            if (attempt < 4)
            {
                int delay = random.Next(attempt == 0 ? 600 : 2500);
                Thread.Sleep(delay);
                if (!run.HasExited)
                {
                    run.Signal(PepProcess.SigKill);
                    kills.Add($"{delay} ms");
                }
            }
            (code, _, error) = run.Wait();
            if (code == 0) break;
            Assert.True(code == 137, $"exit {code} after kills at {string.Join(", ", kills)}: {error}");
            Assert.True(attempt < 8, "never finished");
            // A SIGKILL while a file is written may leave its temporary (never a final name); the
            // resumed run clears such leftovers.
        }
        Assert.Empty(Directory.GetFiles(resumed, "*.partial"));
        Assert.NotEmpty(kills);
        Assert.Equal(History(reference), History(resumed));
        foreach (var file in new[] { "weights.bin", "predictions.csv", "per_tumble.csv", "runs.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(reference, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(resumed, file))),
                $"{file} differs after kills at {string.Join(", ", kills)}");
        Assert.False(File.Exists(Path.Combine(resumed, "checkpoint.bin")));
    }

    [Fact]
    public void SigtermStopsWithExit143AndOneLineKeepingHistoryAndCheckpoint()
    {
        using var dir = new TempDir();
        string data = Data(dir), model = dir.File("m");
        int code;
        string output, error;
        using (var run = PepProcess.Start(dir.Path, TrainArgs(data, model, 200)))
        {
            WaitFor(Path.Combine(model, "checkpoint.bin"), run);
            run.Signal(PepProcess.SigTerm);
            (code, output, error) = run.Wait();
        }
        Assert.Equal(143, code);
        Assert.Empty(output);
        string line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("pep train: interrupted by SIGTERM; kept ", line);
        Assert.Contains("--resume", line);
        Assert.Empty(Directory.GetFiles(model, "*.partial"));
        Assert.False(File.Exists(Path.Combine(model, "model.json")));
        var history = File.ReadAllLines(Path.Combine(model, "history.csv"));
        Assert.InRange(history.Length, 2, 200);
        Assert.Contains($"kept {history.Length - 1} completed epoch(s)", line);

        // The same command again says to resume; a damaged checkpoint is refused in one line.
        (code, _, error) = PepProcess.Start(dir.Path, TrainArgs(data, model, 200)).Wait();
        Assert.Equal(2, code);
        Assert.Contains("holds an interrupted training", Assert.Single(error.Trim().Split('\n')));
        // Other settings than the interrupted run's are refused.
        (code, _, error) = PepProcess.Start(dir.Path, TrainArgs(data, model, 100, "--resume")).Wait();
        Assert.Equal(2, code);
        Assert.Contains("epochs was '200', now '100'", error);
        string checkpoint = Path.Combine(model, "checkpoint.bin");
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(checkpoint, bytes);
        (code, _, error) = PepProcess.Start(dir.Path, TrainArgs(data, model, 200, "--resume")).Wait();
        Assert.Equal(2, code);
        Assert.Contains("is damaged", Assert.Single(error.Trim().Split('\n')));
    }

    [Fact]
    public void ASecondTrainingOfTheSameFolderIsRefused()
    {
        using var dir = new TempDir();
        string data = Data(dir), model = dir.File("m");
        using var first = PepProcess.Start(dir.Path, TrainArgs(data, model, 200));
        WaitFor(Path.Combine(model, "checkpoint.bin"), first);
        var (code, output, error) = PepProcess.Start(dir.Path, TrainArgs(data, model, 200, "--overwrite")).Wait();
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("is in use: another process is training a model in this folder", Assert.Single(error.Trim().Split('\n')));
        Assert.False(first.HasExited);
        Assert.True(File.Exists(Path.Combine(model, "checkpoint.bin")));
        first.Signal(PepProcess.SigKill);
        Assert.Equal(137, first.Wait().Code);

        // The lock dies with its process: the folder can be resumed at once.
        (code, _, error) = PepProcess.Start(dir.Path, TrainArgs(data, model, 1, "--resume")).Wait();
        Assert.Equal(2, code); // --epochs 1 differs from the interrupted run's 200: refused, but not for the lock
        Assert.Contains("other settings (epochs was '200', now '1')", Assert.Single(error.Trim().Split('\n')));
    }
}
