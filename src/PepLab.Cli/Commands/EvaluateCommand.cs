using System.CommandLine;
using System.Text.Json;
using PepLab.Core;
using PepLab.Learn;
using Spectre.Console;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep evaluate</c> and <c>pep predict</c>: a trained model on trajectory files.</summary>
internal static class EvaluateCommand
{
    public static Command Build()
    {
        var modelArg = new Argument<string>("MODEL") { Description = "Model folder written by 'pep train' (or its model.json)." };
        var dataset = new Argument<string>("DATASET") { Description = "Folder of trajectory files (*.h5) or one file, never seen in training for an honest score." };
        var densities = LearnOptions.Densities();
        var replicas = LearnOptions.Replicas();
        var tumbles = LearnOptions.Tumbles();
        var output = PathOption("--out", "Folder for metrics.json, per_tumble.csv, predictions.csv, runs.csv (default: MODEL/eval-DATASETNAME).", "-o");
        var json = Flag("--json", "Print the metrics as JSON on stdout instead of tables.");
        var batch = Option("--batch", "Frames per forward pass.", 256);
        var device = LearnOptions.Device();
        var threads = LearnOptions.Threads();
        var quiet = LearnOptions.Quiet();
        var cmd = new Command("evaluate", "Score a model on a data set: Pearson r, R^2, MAE, per-P_t mean/median/std/bias, the seed's overlap ratio, per-run estimates.");
        cmd.Arguments.Add(modelArg);
        cmd.Arguments.Add(dataset);
        foreach (var o in new Option[] { densities, tumbles, replicas, output, json, batch, device, threads, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("evaluate", () =>
        {
            var dev = TorchRuntime.ResolveDevice(r.GetValue(device)!);
            TorchRuntime.SetThreads(r.GetValue(threads));
            using var model = ModelFile.Load(r.GetValue(modelArg)!, dev);
            string dataPath = r.GetValue(dataset)!;
            var data = TrajectorySet.Open(dataPath, LearnOptions.Filter(r, densities, "--densities"), LearnOptions.Filter(r, tumbles, "--tumbles"),
                replicas: LearnOptions.Filter(r, replicas, "--replicas"));
            var (nx, ny) = data.Lattice(dataPath);
            model.RequireLattice(nx, ny, dataPath);
            int b = r.GetValue(batch);
            if (b < 1) throw new PepLabInputException("--batch", "must be at least 1");
            var predictions = PredictAll(model, data, dev, b, r.GetValue(quiet));
            var runs = data.Runs.ToDictionary(x => x.Id);
            var estimates = LearnFiles.EstimateRuns(predictions, runs, model.Config.Target);
            var evaluation = Metrics.Evaluate(predictions.Truth, predictions.Tumble, predictions.Runs, estimates);
            var coverage = Coverage.Of(predictions, model.Config.Target);

            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataPath)));
            string folder = r.GetValue(output) ?? Path.Combine(model.Folder, $"eval-{Path.GetFileNameWithoutExtension(name)}");
            Directory.CreateDirectory(folder);
            LearnFiles.WritePredictions(Path.Combine(folder, LearnFiles.Predictions), predictions, runs);
            LearnFiles.WritePerTumble(Path.Combine(folder, LearnFiles.PerTumble), evaluation.PerTumble);
            LearnFiles.WriteRuns(Path.Combine(folder, LearnFiles.Runs), evaluation.RunEstimates);
            var report = new EvaluationDocument
            {
                Model = model.Folder,
                ModelName = model.Document.Name,
                Dataset = data.Root,
                Evaluation = evaluation,
                Coverage = coverage,
            };
            ModelFile.WriteJson(Path.Combine(folder, LearnFiles.Metrics), report);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, ModelFile.Json));
                return Ok;
            }
            Console.WriteLine($"model {model.Document.Name} ({model.Folder}) on {data.Root}: {evaluation.Frames} frames, {evaluation.Runs} runs");
            Console.WriteLine($"Pearson r = {LearnOptions.G(evaluation.Pearson, "0.0000")} (log: {LearnOptions.G(evaluation.PearsonLog, "0.0000")}), " +
                              $"R^2 = {LearnOptions.G(evaluation.R2, "0.0000")}, MAE = {LearnOptions.G(evaluation.Mae, "G3")}, " +
                              $"overlap ratio {LearnOptions.G(evaluation.OverlapRatio, "0.##")}, worst median error {LearnOptions.G(100 * evaluation.WorstMedianRelativeError, "0.#")}%");
            if (coverage is not null)
                foreach (var c in coverage)
                    Console.WriteLine($"{100 * c.Nominal:0}% intervals (gaussian head) contain the truth for {100 * c.PerFrame:0.#}% of frames and {100 * c.PerRun:0.#}% of runs ({c.Runs} runs)");
            PrintPerTumble(evaluation);
            PrintRuns(evaluation.RunEstimates);
            Console.WriteLine($"wrote {folder}: {LearnFiles.Metrics}, {LearnFiles.PerTumble}, {LearnFiles.Predictions}, {LearnFiles.Runs}");
            return Ok;
        }));
        return cmd;
    }

    public static Command BuildPredict()
    {
        var modelArg = new Argument<string>("MODEL") { Description = "Model folder written by 'pep train' (or its model.json)." };
        var path = new Argument<string>("PATH") { Description = "A trajectory file, or a folder of them (*.h5)." };
        var output = PathOption("--out", "Folder for frames.csv (one prediction per frame) and runs.csv (one estimate per run). Default: predictions.", "-o");
        var confidence = Option("--confidence", "Confidence level of the per-run interval.", 0.95);
        var blocks = Option("--ci-blocks", "Time blocks per run whose means give the interval (frames of a run are correlated).", 10);
        var batch = Option("--batch", "Frames per forward pass.", 256);
        var device = LearnOptions.Device();
        var threads = LearnOptions.Threads();
        var quiet = LearnOptions.Quiet();
        var cmd = new Command("predict", "Predict P_t for every frame of trajectory files, and per run from all its frames with a confidence interval.");
        cmd.Arguments.Add(modelArg);
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { output, confidence, blocks, batch, device, threads, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("predict", () =>
        {
            double level = r.GetValue(confidence);
            if (!(level > 0 && level < 1)) throw new PepLabInputException("--confidence", "must be in (0, 1)");
            int nBlocks = r.GetValue(blocks);
            if (nBlocks < 2) throw new PepLabInputException("--ci-blocks", "must be at least 2");
            int b = r.GetValue(batch);
            if (b < 1) throw new PepLabInputException("--batch", "must be at least 1");
            var dev = TorchRuntime.ResolveDevice(r.GetValue(device)!);
            TorchRuntime.SetThreads(r.GetValue(threads));
            using var model = ModelFile.Load(r.GetValue(modelArg)!, dev);
            string p = r.GetValue(path)!;
            var data = TrajectorySet.Open(p);
            foreach (var size in data.Runs.Select(x => (x.Info.Nx, x.Info.Ny)).Distinct())
                model.RequireLattice(size.Nx, size.Ny, p);
            string folder = r.GetValue(output) ?? "predictions";
            // Runs of different sizes are predicted size by size (a batch holds one size).
            var all = new List<(Predictions P, Dictionary<int, RunEntry> Runs)>();
            foreach (var group in data.Runs.GroupBy(x => (x.Info.Nx, x.Info.Ny)))
            {
                var part = TrajectorySet.FromRuns(data.Root, group);
                all.Add((PredictAll(model, part, dev, b, r.GetValue(quiet)), group.ToDictionary(x => x.Id)));
            }
            var predictions = Concat(all.Select(a => a.P).ToList());
            // Created only once every frame was read: a damaged file leaves no folder behind.
            Directory.CreateDirectory(folder);
            var runs = data.Runs.ToDictionary(x => x.Id);
            var estimates = LearnFiles.EstimateRuns(predictions, runs, model.Config.Target, level, nBlocks);
            LearnFiles.WritePredictions(Path.Combine(folder, "frames.csv"), predictions, runs);
            LearnFiles.WriteRuns(Path.Combine(folder, LearnFiles.Runs), estimates);
            PrintRuns(estimates);
            Console.WriteLine($"wrote {folder}: frames.csv ({predictions.Count} frames), runs.csv ({estimates.Count} runs)");
            return Ok;
        }));
        return cmd;
    }

    internal static Predictions PredictAll(LoadedModel model, TrajectorySet data, TorchSharp.torch.Device device, int batch, bool quiet)
    {
        var frames = data.All();
        return Progress.Run(quiet, "predict", frames.TotalFrames, "frames", report =>
            Trainer.Predict(model.Network, frames, device, batch, progress: (done, _) => report(done), cancellation: Cancellation));
    }

    private static Predictions Concat(IReadOnlyList<Predictions> parts)
    {
        if (parts.Count == 1) return parts[0];
        return new Predictions
        {
            Runs = parts.SelectMany(p => p.Runs).ToArray(),
            Frames = parts.SelectMany(p => p.Frames).ToArray(),
            Truth = parts.SelectMany(p => p.Truth).ToArray(),
            Target = parts.SelectMany(p => p.Target).ToArray(),
            Sigma = parts.All(p => p.Sigma is not null) ? parts.SelectMany(p => p.Sigma!).ToArray() : null,
            Tumble = parts.SelectMany(p => p.Tumble).ToArray(),
        };
    }

    internal static void PrintPerTumble(Evaluation e)
    {
        var table = new Table().AddColumns("P_t", "frames", "mean", "median", "std", "bias", "median error", "covers");
        foreach (var s in e.PerTumble)
            table.AddRow(LearnOptions.G(s.Tumble), s.Frames.ToString(), LearnOptions.G(s.Mean), LearnOptions.G(s.Median), LearnOptions.G(s.Std),
                LearnOptions.G(s.Bias, "+0.0000;-0.0000"), LearnOptions.G(100 * s.MedianRelativeError, "+0.0;-0.0") + "%", s.Covers ? "yes" : "no");
        LearnOptions.Show(table);
    }

    internal static void PrintRuns(IReadOnlyList<RunEstimate> runs)
    {
        var table = new Table().AddColumns("run", "density", "true P_t", "estimate", $"{100 * (runs.FirstOrDefault()?.Confidence ?? 0.95):0}% interval", "frames");
        foreach (var x in runs)
            table.AddRow(Markup.Escape(x.File), LearnOptions.G(x.Density), x.Truth is { } t ? LearnOptions.G(t) : "-", LearnOptions.G(x.Estimate),
                $"{LearnOptions.G(x.Low)} .. {LearnOptions.G(x.High)}", x.Frames.ToString());
        LearnOptions.Show(table);
    }
}

/// <summary>metrics.json of <c>pep evaluate</c>.</summary>
internal sealed record EvaluationDocument
{
    public string Format { get; init; } = "peplab.evaluation";
    public int FormatVersion { get; init; } = 1;
    public required string Model { get; init; }
    public required string ModelName { get; init; }
    public required string Dataset { get; init; }
    public required Evaluation Evaluation { get; init; }
    /// <summary>Coverage of the 50% and 90% intervals of a gaussian head (null for a point head).</summary>
    public IReadOnlyList<IntervalCoverage>? Coverage { get; init; }
}
