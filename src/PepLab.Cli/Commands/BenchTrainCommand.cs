using System.CommandLine;
using System.Diagnostics;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep bench train</c>: training speed from memory and from HDF5 on disk.</summary>
internal static class BenchTrainCommand
{
    public static Command Build()
    {
        var model = Option("--model", $"Model to train: {string.Join(", ", Architectures.Names)}.", Architectures.SeedDeep, "-m");
        var layers = PathOption("--layers", "Or a model in the seed's layer notation.");
        var nx = Option("--nx", "Lattice rows of the generated frames.", 128);
        var ny = Option("--ny", "Lattice columns of the generated frames.", 128);
        var batch = Option("--batch", "Frames per step.", 64);
        var threads = ThreadsOption();
        var frames = Option("--frame-count", "Frames to generate (4 runs at density 0.15); not with --data.", 4096);
        var seconds = Option("--seconds", "Seconds to measure each case, each time.", 5.0);
        var repeat = Option("--repeat", "Times each case is measured, cases taking turns; the table shows the best and the median (a shared machine disturbs some runs).", 3);
        var data = PathOption("--data", "Use this data set (folder of *.h5) instead of generating one.");
        var shuffleBuffer = Option("--shuffle-buffer", "Frames held for shuffling.", 2048);
        var device = LearnOptions.Device();
        var json = Output.JsonOption();
        var normalPriority = Flag("--loader-normal-priority", "Run the loader thread at normal CPU priority (default: lowest, so it never displaces the network's threads).");
        var cmd = new Command("train",
            "Training samples/s: the network alone on one batch, fed by the streaming loader from memory, and from HDF5 on disk; and the loader alone (frames/s on one thread).");
        foreach (var o in new Option[] { model, layers, nx, ny, batch, threads, frames, seconds, repeat, data, shuffleBuffer, device, normalPriority, json }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("bench train", () =>
        {
            double secs = r.GetValue(seconds);
            if (!(secs > 0 && double.IsFinite(secs))) throw new PepLabInputException("--seconds", "must be a positive number");
            if (r.GetValue(batch) < 1) throw new PepLabInputException("--batch", $"must be at least 1 (got {r.GetValue(batch)})");
            int rounds = r.GetValue(repeat);
            if (rounds < 1) throw new PepLabInputException("--repeat", "must be at least 1");
            Conflict(r, data, frames);
            int count = r.GetValue(frames);
            if (count < 4 * r.GetValue(batch)) throw new PepLabInputException("--frame-count", $"must be at least 4 batches ({4 * r.GetValue(batch)})");
            var config = Architectures.Resolve(r.GetValue(layers) is null ? r.GetValue(model) : null, r.GetValue(layers), null, null);
            var dev = TorchRuntime.ResolveDevice(r.GetValue(device)!);
            int nThreads = TorchRuntime.SetThreads(Threads(r, threads));
            string? temporary = null;
            try
            {
                string dataPath = r.GetValue(data) ?? (temporary = Progress.Run(false, "generate", count, "frames", report =>
                    TrainingBench.GenerateTemporaryRuns(r.GetValue(nx), r.GetValue(ny), count, done => report(done), Cancellation)));
                var set = TrajectorySet.Open(dataPath);
                var (rows, cols) = set.Lattice(dataPath);
                config.Shapes(rows, cols);
                var options = new TrainOptions
                {
                    BatchSize = r.GetValue(batch), ShuffleBuffer = r.GetValue(shuffleBuffer), Loss = LossKind.Mae, LowPriorityLoader = !r.GetValue(normalPriority),
                }.Validate();
                var memory = TrainingBench.InMemory(set);
                Console.Error.WriteLine($"bench train: {config.Name}, {rows}x{cols}, batch {options.BatchSize}, {nThreads} thread(s), {set.TotalFrames} frames in {set.Runs.Count} runs, " +
                                        $"{Progress.Human(new DirectoryInfo(dataPath).EnumerateFiles("*.h5", SearchOption.AllDirectories).Sum(f => f.Length))}B on disk; {secs:0} s per case");
                var results = TrainingBench.Compare(config, set, options, dev, secs, rounds, x => memory[x.Id],
                    k => Console.Error.WriteLine($"bench train: round {k}/{rounds}: loader alone, network alone, from memory, from disk..."), Cancellation);
                if (r.GetValue(json))
                    Output.Json("bench-train", new { Model = config.Name, Nx = rows, Ny = cols, options.BatchSize, Threads = nThreads, Frames = set.TotalFrames,
                        SecondsPerCase = secs, Rounds = rounds, Cases = TrainingBench.Cases(results) });
                else Print(results, config.Name);
                return Ok;
            }
            finally
            {
                if (temporary is not null) Directory.Delete(temporary, recursive: true);
            }
        }));
        return cmd;
    }

    /// <summary>The best and median samples/s of each case, and the disk/memory ratio per round.</summary>
    private static void Print(Dictionary<string, List<double>> results, string model)
    {
        var table = new TextTable("case", "best samples/s", "median", "note");
        foreach (var row in TrainingBench.Rows(results, model)) table.Row(row);
        table.Show();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"peak RSS {self.PeakWorkingSet64 / 1048576.0:0} MB (the whole data set is also held in memory for the memory case)");
    }
}
