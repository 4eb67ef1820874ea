using PepLab.Core;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>Speed measurements of training (for <c>pep bench train</c>); never used in tests.</summary>
public static class TrainingBench
{
    /// <summary>
    /// Frames per second the loader alone delivers (shuffled blocks through the shuffle buffer),
    /// over at least <paramref name="seconds"/> and whole epochs.
    /// </summary>
    public static double LoaderRate(FrameSet frames, LoaderOptions options, double seconds, CancellationToken cancellation = default)
    {
        var loader = new FrameLoader(frames, options);
        var clock = Stopwatch.StartNew();
        long n = 0;
        int epoch = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            foreach (var batch in loader.Epoch(++epoch, cancellation))
            {
                n += batch.Count;
                if (clock.Elapsed.TotalSeconds >= seconds) break;
            }
        }
        return n / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Training samples per second: the real training step (<see cref="Trainer.Step"/>) fed by the
    /// streaming loader, after <paramref name="warmupSteps"/> unmeasured steps.
    /// </summary>
    public static double TrainingRate(ModelConfig config, FrameSet frames, TrainOptions options, Device device, double seconds,
        int warmupSteps = 10, CancellationToken cancellation = default)
    {
        var first = frames.Runs[0].Run.Info;
        using var net = new Network(config, first.Nx, first.Ny);
        net.to(device);
        net.train();
        using var optimizer = optim.Adam(net.parameters(), lr: options.LearningRate);
        var loader = new FrameLoader(frames, Trainer.LoaderOptionsOf(options));
        int steps = 0;
        long n = 0;
        Stopwatch? clock = null;
        int epoch = 0;
        while (clock is null || clock.Elapsed.TotalSeconds < seconds)
        {
            foreach (var batch in loader.Epoch(++epoch, cancellation))
            {
                if (batch.Count < 2) continue;
                Trainer.Step(net, optimizer, batch, loader.Nx, loader.Ny, options, device);
                steps++;
                if (steps == warmupSteps) clock = Stopwatch.StartNew();
                else if (clock is not null) n += batch.Count;
                if (clock is not null && clock.Elapsed.TotalSeconds >= seconds) break;
            }
        }
        return n / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Samples per second of the network alone, on one fixed batch already in memory (an upper bound).</summary>
    public static double ComputeRate(ModelConfig config, int nx, int ny, TrainOptions options, Device device, double seconds, int warmupSteps = 10)
    {
        using var net = new Network(config, nx, ny);
        net.to(device);
        net.train();
        using var optimizer = optim.Adam(net.parameters(), lr: options.LearningRate);
        var batch = new Batch(options.BatchSize, nx * ny) { Count = options.BatchSize };
        var rng = new Random(1);
        for (int i = 0; i < batch.Frames.Length; i++) batch.Frames[i] = rng.NextDouble() < 0.15 ? (byte)rng.Next(1, 5) : (byte)0;
        for (int i = 0; i < batch.Count; i++) batch.Tumbles[i] = i % 2 == 0 ? 0.0156f : 0.34f;
        for (int i = 0; i < warmupSteps; i++) Trainer.Step(net, optimizer, batch, nx, ny, options, device);
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            Trainer.Step(net, optimizer, batch, nx, ny, options, device);
            n += batch.Count;
        }
        return n / clock.Elapsed.TotalSeconds;
    }

    /// <summary>PyTorch 1.13 on an idle 2-core machine of this kind, seed-deep, 128x128, batch 64 (issue 5).</summary>
    public const double PyTorchRate = 2800;

    /// <summary>
    /// The rows <c>pep bench train</c> shows for <see cref="Compare"/>'s <paramref name="results"/> of <paramref name="model"/>:
    /// case, best and median samples/s (for the disk/memory ratio, percent), and the target or reference it is read against.
    /// </summary>
    public static IReadOnlyList<string[]> Rows(Dictionary<string, List<double>> results, string model)
    {
        double Best(string k) => results[k].Max();
        double Median(string k) => PepLab.Analyse.SampleStatistics.Median(results[k].ToArray());
        var ratios = results["ratio"];
        return
        [
            ["loader alone (1 thread, HDF5)", $"{Best("loader"):0}", $"{Median("loader"):0}", "frames/s delivered, target >= 10,000"],
            ["network alone (one batch)", $"{Best("network"):0}", $"{Median("network"):0}", "upper bound"],
            ["training from memory", $"{Best("memory"):0}", $"{Median("memory"):0}", model == Architectures.SeedDeep ? $"PyTorch 1.13: ~{PyTorchRate:0}-3000" : ""],
            ["training from HDF5 on disk", $"{Best("disk"):0}", $"{Median("disk"):0}", $"best {100 * Best("disk") / Best("memory"):0}% of memory's best (target >= 90%)"],
            ["disk / memory, per round", $"{100 * ratios.Max():0}%", $"{100 * Median("ratio"):0}%",
                $"run back to back each round; range {100 * ratios.Min():0}-{100 * ratios.Max():0}% over {ratios.Count} round(s)"],
        ];
    }

    /// <summary>One case of <see cref="Compare"/>'s results: each round's samples per second (a ratio for "ratio"), the best and the median.</summary>
    public sealed record Case(string Name, IReadOnlyList<double> Rounds, double Best, double Median);

    /// <summary><see cref="Compare"/>'s <paramref name="results"/> case by case (<c>pep bench train --json</c>).</summary>
    public static IReadOnlyList<Case> Cases(Dictionary<string, List<double>> results) =>
        results.Select(kv => new Case(kv.Key, kv.Value, kv.Value.Max(), PepLab.Analyse.SampleStatistics.Median(kv.Value.ToArray()))).ToList();

    /// <summary>
    /// Measures, <paramref name="rounds"/> times with the cases taking turns: the loader alone, the network alone
    /// on one batch, training fed from memory (<paramref name="inMemory"/>) and from the HDF5 files. Memory and
    /// disk run back to back, in alternating order, so that a shared machine's drift touches both alike; their
    /// ratio is taken per round. Returns samples per second of each round by case: "loader", "network",
    /// "memory", "disk" and "ratio" (disk / memory). <paramref name="round"/> is told each round's number.
    /// </summary>
    public static Dictionary<string, List<double>> Compare(ModelConfig config, TrajectorySet set, TrainOptions options, Device device,
        double seconds, int rounds, Func<RunEntry, PepLab.Store.IFrameSource> inMemory, Action<int>? round = null,
        CancellationToken cancellation = default)
    {
        if (rounds < 1) throw new PepLabInputException("repeat", $"must be at least 1 (got {rounds})");
        if (!(seconds > 0)) throw new PepLabInputException("seconds", $"must be positive (got {seconds})");
        var all = set.All();
        var (rows, cols) = set.Lattice(set.Root);
        var loaderOptions = new LoaderOptions { BatchSize = options.BatchSize, ShuffleBuffer = options.ShuffleBuffer };
        var results = new Dictionary<string, List<double>> { ["loader"] = [], ["network"] = [], ["memory"] = [], ["disk"] = [], ["ratio"] = [] };
        for (int k = 1; k <= rounds; k++)
        {
            round?.Invoke(k);
            results["loader"].Add(LoaderRate(all, loaderOptions, seconds, cancellation));
            results["network"].Add(ComputeRate(config, rows, cols, options, device, seconds));
            double FromMemory() => TrainingRate(config, all, options with { Open = inMemory }, device, seconds, cancellation: cancellation);
            double FromDisk() => TrainingRate(config, all, options, device, seconds, cancellation: cancellation);
            double m, d;
            if (k % 2 == 1) { m = FromMemory(); d = FromDisk(); }
            else { d = FromDisk(); m = FromMemory(); }
            results["memory"].Add(m);
            results["disk"].Add(d);
            results["ratio"].Add(d / m);
        }
        return results;
    }

    /// <summary>
    /// Runs as <see cref="GenerateRuns"/> writes them, in a new folder under the system's temporary folder
    /// (its path returned; the caller deletes it). The folder is removed again when writing fails.
    /// </summary>
    public static string GenerateTemporaryRuns(int nx, int ny, int frames, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"peplab-bench-train-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            GenerateRuns(folder, nx, ny, frames, progress, cancellation);
            return folder;
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Writes four short PEP runs at density 0.15 (P_t 0.015625, 0.0336, 0.157, 0.34; 50 warm-up iterations,
    /// then every iteration kept, so it is quick) of <paramref name="frames"/> frames in all into
    /// <paramref name="folder"/>; <paramref name="progress"/> gets frames written.
    /// </summary>
    public static void GenerateRuns(string folder, int nx, int ny, int frames, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        double[] tumbles = [0.015625, 0.0336, 0.157, 0.34];
        int per = (frames + tumbles.Length - 1) / tumbles.Length;
        long done = 0;
        foreach (var t in tumbles)
        {
            var p = new RunParameters { Density = 0.15, Tumble = t, Nx = nx, Ny = ny, Warmup = 50, Snapshots = per, Interval = 1, Seed = Seeds.Derive(7, $"bench|{t}") }.Validate();
            PepLab.Simulate.Recorder.Record(p, Path.Combine(folder, $"bench_t{t}.h5"), cancellation: cancellation);
            progress?.Invoke(done += per);
        }
    }

    /// <summary>Every run of <paramref name="set"/> read into memory, by run id: the "from memory" case of <see cref="Compare"/>.</summary>
    public static Dictionary<int, PepLab.Store.IFrameSource> InMemory(TrajectorySet set) => set.Runs.ToDictionary(x => x.Id, x =>
    {
        using var source = PepLab.Store.FrameSources.Open(x.Path);
        return (PepLab.Store.IFrameSource)InMemoryFrameSource.Load(source);
    });
}
