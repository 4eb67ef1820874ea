using System.CommandLine;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep evaluate</c> and <c>pep predict</c>: a trained model on trajectory files.</summary>
internal static class EvaluateCommand
{
    public static Command Build()
    {
        var modelArg = new Argument<string>("MODEL") { Description = "Model folder written by 'pep train' (or its model.json)." };
        var dataset = new Argument<string>("DATASET") { Description = "Folder of trajectory files (*.h5) or one file, never seen in training for an honest score." };
        var densities = SelectOption("densities", "densities");
        var tumbles = SelectOption("tumbles", "P_t");
        var replicas = SelectOption("replicas", "replicas (files *_rK.h5), e.g. the replica held out in training");
        var output = PathOption("--out", "Folder for metrics.json, per_tumble.csv, predictions.csv, runs.csv (default: MODEL/eval-DATASETNAME).", "-o");
        var overwrite = OverwriteOption("these files in --out");
        var json = Output.JsonOption();
        var batch = Option("--batch", "Frames per forward pass.", 256);
        var uncalibrated = LearnOptions.Uncalibrated();
        var device = LearnOptions.Device();
        var threads = ThreadsOption();
        var quiet = QuietOption();
        var cmd = new Command("evaluate", "Score a model on a data set: Pearson r, R^2, MAE, per-P_t mean/median/std/bias, the seed's overlap ratio, per-run estimates.");
        cmd.Arguments.Add(modelArg);
        cmd.Arguments.Add(dataset);
        foreach (var o in new Option[] { densities, tumbles, replicas, output, overwrite, json, batch, uncalibrated, device, threads, quiet }) cmd.Options.Add(o);
        var slurm = new SlurmFlags("Do not evaluate here: submit the evaluation as a SLURM job (script in OUT/slurm/).", gpu: true);
        slurm.AddTo(cmd);
        cmd.SetAction(r => Guard("evaluate", () =>
        {
            TorchRuntime.SetThreads(Threads(r, threads));
            if (r.GetValue(batch) < 1) throw new PepLabInputException("--batch", $"must be at least 1 (got {r.GetValue(batch)})");
            string dataPath = r.GetValue(dataset)!;
            var filter = new RunFilter(Select(r, densities), Select(r, tumbles), Select(r, replicas));
            using var job = EvaluationJob.Open(r.GetValue(modelArg)!, dataPath, filter, r.GetValue(device)!, r.GetValue(batch), r.GetValue(uncalibrated));
            string folder = CheckOutputFolder("--out", r.GetValue(output) ?? EvaluationJob.DefaultFolder(job.Model.Folder, dataPath), r.GetValue(overwrite), EvaluationJob.Files);
            if (slurm.On(r))
                return slurm.SubmitOne(r, "evaluate", folder, Given(r, output) ? [] : ["--out", folder], command => job.SlurmStage(folder, command),
                    () => File.Exists(Path.Combine(folder, LearnFiles.Metrics)));
            var (predictions, report) = Progress.Run(r.GetValue(quiet), "predict", job.TotalFrames, "frames", progress =>
                job.Evaluate((done, _) => progress(done), Cancellation));
            job.Write(folder, predictions, report);
            if (r.GetValue(json))
            {
                Output.Json("evaluation", report);
                return Ok;
            }
            var evaluation = report.Evaluation;
            Console.WriteLine($"model {report.ModelName} ({report.Model}) on {report.Dataset}: {evaluation.Frames} frames, {evaluation.Runs} runs");
            Console.WriteLine($"Pearson r = {LearnOptions.G(evaluation.Pearson, "0.0000")} (log: {LearnOptions.G(evaluation.PearsonLog, "0.0000")}), " +
                              $"R^2 = {LearnOptions.G(evaluation.R2, "0.0000")}, MAE = {LearnOptions.G(evaluation.Mae, "G3")}, " +
                              $"overlap ratio {LearnOptions.G(evaluation.OverlapRatio, "0.##")}, worst median error {LearnOptions.G(100 * evaluation.WorstMedianRelativeError, "0.#")}%");
            foreach (var c in report.Coverage ?? [])
                Console.WriteLine($"{100 * c.Nominal:0}% intervals (gaussian head) contain the truth for {100 * c.PerFrame:0.#}% of frames and {100 * c.PerRun:0.#}% of runs ({c.Runs} runs)");
            PrintPerTumble(evaluation);
            PrintRuns(evaluation.RunEstimates);
            Console.WriteLine($"wrote {folder}: {string.Join(", ", EvaluationJob.Files)}");
            return Ok;
        }));
        return cmd;
    }

    public static Command BuildPredict()
    {
        var modelArg = new Argument<string>("MODEL") { Description = "Model folder written by 'pep train' (or its model.json)." };
        var path = new Argument<string>("PATH") { Description = "A trajectory file, or a folder of them (*.h5)." };
        var output = PathOption("--out", "Folder for frames.csv (one prediction per frame) and runs.csv (one estimate per run). Default: predictions.", "-o");
        var overwrite = OverwriteOption("frames.csv and runs.csv in --out");
        var confidence = Option("--confidence", "Confidence level of the per-run interval.", 0.95);
        var blocks = Option("--ci-blocks", "Time blocks per run whose means give the interval (frames of a run are correlated).", 10);
        var batch = Option("--batch", "Frames per forward pass.", 256);
        var uncalibrated = LearnOptions.Uncalibrated();
        var device = LearnOptions.Device();
        var threads = ThreadsOption();
        var quiet = QuietOption();
        var json = Output.JsonOption();
        var cmd = new Command("predict", "Predict P_t for every frame of trajectory files, and per run from all its frames with a confidence interval.");
        cmd.Arguments.Add(modelArg);
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { output, overwrite, confidence, blocks, batch, uncalibrated, device, threads, json, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("predict", () =>
        {
            double level = r.GetValue(confidence);
            if (!(level > 0 && level < 1)) throw new PepLabInputException("--confidence", "must be in (0, 1)");
            if (r.GetValue(blocks) < 2) throw new PepLabInputException("--ci-blocks", "must be at least 2");
            if (r.GetValue(batch) < 1) throw new PepLabInputException("--batch", "must be at least 1");
            TorchRuntime.SetThreads(Threads(r, threads));
            string folder = CheckOutputFolder("--out", r.GetValue(output) ?? "predictions", r.GetValue(overwrite), EvaluationJob.PredictionFiles);
            using var job = EvaluationJob.Open(r.GetValue(modelArg)!, r.GetValue(path)!, null, r.GetValue(device)!, r.GetValue(batch), r.GetValue(uncalibrated));
            var (predictions, estimates) = Progress.Run(r.GetValue(quiet), "predict", job.TotalFrames, "frames", progress =>
                job.Predict(level, r.GetValue(blocks), (done, _) => progress(done), Cancellation));
            job.WritePredictions(folder, predictions, estimates);
            if (r.GetValue(json))
            {
                Output.Json("prediction", new PredictionSummary(folder, predictions.Count, estimates));
                return Ok;
            }
            PrintRuns(estimates);
            Console.WriteLine($"wrote {folder}: frames.csv ({predictions.Count} frames), runs.csv ({estimates.Count} runs)");
            return Ok;
        }));
        return cmd;
    }

    internal static void PrintPerTumble(Evaluation e)
    {
        var table = new TextTable("P_t", "frames", "mean", "median", "std", "bias", "median error", "covers");
        foreach (var s in e.PerTumble)
            table.Row(LearnOptions.G(s.Tumble), s.Frames.ToString(), LearnOptions.G(s.Mean), LearnOptions.G(s.Median), LearnOptions.G(s.Std),
                LearnOptions.G(Math.Round(s.Bias, 4) + 0.0, "+0.0000;-0.0000"), LearnOptions.G(Math.Round(100 * s.MedianRelativeError, 1) + 0.0, "+0.0;-0.0") + "%", s.Covers ? "yes" : "no");
        table.Show();
    }

    internal static void PrintRuns(IReadOnlyList<RunEstimate> runs)
    {
        var table = new TextTable("run", "density", "true P_t", "estimate", $"{100 * (runs.FirstOrDefault()?.Confidence ?? 0.95):0}% interval", "frames");
        foreach (var x in runs)
            table.Row(x.File, LearnOptions.G(x.Density), x.Truth is { } t ? LearnOptions.G(t) : "-", LearnOptions.G(x.Estimate),
                $"{LearnOptions.G(x.Low)} .. {LearnOptions.G(x.High)}", x.Frames.ToString());
        table.Show();
    }
}
