using System.Text.Json.Nodes;
using PepLab.Analyse;
using PepLab.Core;
using static TorchSharp.torch;

namespace PepLab.Learn.Tests;

/// <summary>A tiny data set trained once and shared by the tests that need a trained model.</summary>
public sealed class TrainedTiny : IDisposable
{
    public static readonly double[] Tumbles = [0.005, 0.5];

    public TrainedTiny()
    {
        Dir = new TempDir();
        DataPath = TestData.Tiny(Dir.File("data"), Tumbles, replicas: 2, frames: 48);
        ModelPath = Dir.File("model");
        Result = TrainingJob.Run(new TrainRequest
        {
            Dataset = DataPath,
            Out = ModelPath,
            Model = Architectures.PepLab,
            Epochs = 12,
            Batch = 16,
            LearningRate = 3e-3,
            Threads = 2,
            Device = "cpu",
            Seed = 5,
        });
    }

    public TempDir Dir { get; }
    public string DataPath { get; }
    public string ModelPath { get; }
    public TrainResult Result { get; }

    public void Dispose() => Dir.Dispose();
}

public class TrainingTests(TrainedTiny tiny) : IClassFixture<TrainedTiny>
{
    [Fact]
    public void TinyDataSetTrainsToClearlySeparatedPredictions()
    {
        var v = tiny.Result.Outcome.Validation;
        var low = Enumerable.Range(0, v.Count).Where(i => v.Truth[i] < 0.1).Select(i => v.Tumble[i]).ToArray();
        var high = Enumerable.Range(0, v.Count).Where(i => v.Truth[i] > 0.1).Select(i => v.Tumble[i]).ToArray();
        Assert.Equal(48, low.Length);   // one replica of each P_t held out whole
        Assert.Equal(48, high.Length);
        double midpoint = Math.Sqrt(0.005 * 0.5);
        Assert.True(SampleStatistics.Quantile(low, 0.9) < midpoint, $"low P_t predictions reach {SampleStatistics.Quantile(low, 0.9)}");
        Assert.True(SampleStatistics.Quantile(high, 0.1) > midpoint, $"high P_t predictions fall to {SampleStatistics.Quantile(high, 0.1)}");
        Assert.True(tiny.Result.Validation.PearsonLog > 0.9, $"r(log) = {tiny.Result.Validation.PearsonLog}");
        Assert.Equal(12, tiny.Result.Outcome.History.Count);
    }

    [Fact]
    public void TheModelFolderHoldsEverything()
    {
        foreach (var name in new[] { ModelFile.JsonName, ModelFile.WeightsName, LearnFiles.History, LearnFiles.Predictions, LearnFiles.PerTumble, LearnFiles.Runs })
            Assert.True(File.Exists(Path.Combine(tiny.ModelPath, name)), name);
        Assert.Empty(Directory.GetFiles(tiny.ModelPath, "*.partial"));
        var history = File.ReadAllLines(Path.Combine(tiny.ModelPath, LearnFiles.History));
        Assert.Equal(EpochRecord.CsvHeader, history[0]);
        Assert.Equal(13, history.Length);
        var predictions = File.ReadAllLines(Path.Combine(tiny.ModelPath, LearnFiles.Predictions));
        Assert.StartsWith("run,file,density,frame,true,pred", predictions[0]);
        Assert.Equal(97, predictions.Length);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(tiny.ModelPath, ModelFile.JsonName)))!;
        Assert.Equal("peplab.model", (string?)json["format"]);
        Assert.Equal(Architectures.PepLabLayers, (string?)json["layers"]);
        Assert.Equal("onehot", (string?)json["encoding"]);
        Assert.Equal("log", (string?)json["target"]);
        Assert.Equal(5UL, (ulong?)json["training"]!["seed"]);
        Assert.Equal(2, json["training"]!["split"]!["held_out"]!.AsArray().Count);
        Assert.NotNull(json["metrics"]!["val_pearson"]);
        var provenance = json["provenance"]!;
        Assert.Equal(PepLabVersion.Current, (string?)provenance[Provenance.VersionName]);
        Assert.False(string.IsNullOrEmpty((string?)provenance[Provenance.CommandLineName]));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)provenance[Provenance.CreatedUtcName]);
        Assert.Equal(Environment.MachineName, (string?)provenance[Provenance.HostName]);
        // The data trained on, by content: every run file of the data set, names and bytes.
        var files = PepLab.Store.DataSet.TrajectoryFiles(tiny.DataPath);
        Assert.Equal(PepLab.Store.ContentHash.OfFiles(tiny.DataPath, files), (string?)json["training"]!["data_hash"]);
        Assert.Equal(json["training"]!["data_hash"]!.ToString(), ModelFile.Load(tiny.ModelPath).Document.Training!.DataHash);
    }

    [Fact]
    public void SavedModelReproducesPredictionsExactly()
    {
        using var loaded = ModelFile.Load(tiny.ModelPath, CPU);
        var data = TrajectorySet.Open(tiny.DataPath);
        var held = tiny.Result.Document.Training!.Split.HeldOut;
        var validation = new FrameSet(data.Runs.Where(r => held.Contains(Path.GetRelativePath(data.Root, r.Path)))
            .Select(r => new RunSelection(r, [new FrameSpan(0, r.Frames)])).ToList());
        var again = Trainer.Predict(loaded.Network, validation, CPU);
        var first = tiny.Result.Outcome.Validation;
        Assert.Equal(first.Runs, again.Runs);
        Assert.Equal(first.Frames, again.Frames);
        Assert.Equal(first.Target, again.Target);   // bit for bit
        Assert.Equal(first.Tumble, again.Tumble);
    }

    [Fact]
    public void ModelsFromAnotherVersionOrMismatchedWeightsAreRejected()
    {
        using var dir = new TempDir();
        foreach (var f in Directory.GetFiles(tiny.ModelPath)) File.Copy(f, Path.Combine(dir.Path, Path.GetFileName(f)));
        string json = Path.Combine(dir.Path, ModelFile.JsonName);
        string original = File.ReadAllText(json);

        File.WriteAllText(json, original.Replace($"\"format_version\": {ModelFile.Version}", "\"format_version\": 3"));
        var e = Assert.Throws<PepLabInputException>(() => ModelFile.Load(dir.Path));
        Assert.Contains("format version 3", e.Message);

        File.WriteAllText(json, original.Replace("peplab.model", "something.else"));
        Assert.Contains("not a PepLab model", Assert.Throws<PepLabInputException>(() => ModelFile.Load(dir.Path)).Message);

        File.WriteAllText(json, "{ not json");
        Assert.Contains("not a PepLab model", Assert.Throws<PepLabInputException>(() => ModelFile.Load(dir.Path)).Message);

        File.WriteAllText(json, original);
        File.AppendAllText(Path.Combine(dir.Path, ModelFile.WeightsName), "x");
        Assert.Contains("SHA-256", Assert.Throws<PepLabInputException>(() => ModelFile.Load(dir.Path)).Message);

        Assert.Contains("no such", Assert.Throws<PepLabInputException>(() => ModelFile.Load(dir.File("nothing"))).Message);
    }

    [Fact]
    public void LatticeSizesTheModelCannotTakeAreRejected()
    {
        using var loaded = ModelFile.Load(tiny.ModelPath);
        loaded.RequireLattice(64, 48, "x");   // size-agnostic: any multiple of 8
        var e = Assert.Throws<PepLabInputException>(() => loaded.RequireLattice(36, 36, "frames.h5"));
        Assert.Contains("cannot take", e.Message);
    }

    [Fact]
    public void ExistingModelNeedsOverwrite()
    {
        var e = Assert.Throws<PepLabInputException>(() => TrainingJob.Run(new TrainRequest { Dataset = tiny.DataPath, Out = tiny.ModelPath, Epochs = 1 }));
        Assert.Contains("--overwrite", e.Message);
    }
}

public class TrainingInputTests
{
    [Fact]
    public void SingleTumbleOrEmptyDataSetsAreRejected()
    {
        using var dir = new TempDir();
        var single = TestData.Tiny(dir.File("single"), [0.1], replicas: 2, frames: 8, side: 16);
        var e = Assert.Throws<PepLabInputException>(() => TrainingJob.Run(new TrainRequest { Dataset = single, Out = dir.File("m") }));
        Assert.Contains("single P_t", e.Message);
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("no trajectory files", Assert.Throws<PepLabInputException>(() => TrainingJob.Run(new TrainRequest { Dataset = dir.File("empty"), Out = dir.File("m") })).Message);
        Assert.False(Directory.Exists(dir.File("m")));
    }

    [Fact]
    public void ModelsThatCannotTakeTheLatticeAreRejectedBeforeTraining()
    {
        using var dir = new TempDir();
        var data = TestData.Tiny(dir.File("d"), [0.05, 0.3], replicas: 1, frames: 8, side: 20);
        var e = Assert.Throws<PepLabInputException>(() => TrainingJob.Run(new TrainRequest { Dataset = data, Out = dir.File("m"), Model = Architectures.PepLab }));
        Assert.Contains("does not divide", e.Message);
    }

    [Fact]
    public void SteadyKeepsOnlyFramesFromEachRunsSteadyStart()
    {
        using var dir = new TempDir();
        // Started from a random configuration with no warm-up, the low-P_t runs need time to cluster.
        Directory.CreateDirectory(dir.File("d"));
        int seed = 0;
        foreach (var t in new[] { 0.002, 0.5 })
            for (int r = 0; r < 2; r++)
                PepLab.Simulate.Recorder.Record(new RunParameters
                {
                    Density = 0.3, Tumble = t, Nx = 16, Ny = 16, Warmup = 0, Snapshots = 60, Interval = 2, Seed = (ulong)(50 + seed++),
                }, dir.File($"d/t{t}_r{r}.h5"));
        var prepared = TrainingJob.Prepare(new TrainRequest { Dataset = dir.File("d"), Out = dir.File("m"), Steady = true, SteadyJobs = 2, Device = "cpu" });
        var starts = prepared.SteadyStarts!;
        Assert.Equal(4, starts.Count);
        var data = prepared.Data;
        foreach (var run in data.Runs)
        {
            // The same t0 as Chodera's detection on the weighted mean cluster size of the run.
            var series = PepLab.Analyse.RunAnalysis.Analyse(run.Path).Series(PepLab.Analyse.FrameStatistic.WeightedMean);
            Assert.Equal(PepLab.Analyse.Equilibration.DetectEquilibration(series).T0, starts[run.Id]);
            foreach (var set in new[] { prepared.Train, prepared.Validation })
                foreach (var sel in set.Runs.Where(x => x.Run.Id == run.Id))
                    Assert.All(sel.Ranges, x => Assert.True(x.Start >= starts[run.Id]));
        }
        Assert.Contains(starts.Values, t0 => t0 > 0);
        Assert.False(Directory.Exists(dir.File("m"))); // preparing writes nothing
    }

    [Fact]
    public void GaussianHeadPredictsAMeanAndASpread()
    {
        using var dir = new TempDir();
        var data = TestData.Tiny(dir.File("d"), [0.01, 0.3], replicas: 1, frames: 24, side: 16);
        var result = TrainingJob.Run(new TrainRequest
        {
            Dataset = data, Out = dir.File("m"), Layers = "CONV(8,k3,s2,circular) => BN => CONV(8,k3,s2,circular) => GAP => FC(1)",
            Head = Head.Gaussian, Epochs = 2, Batch = 8, Threads = 1, Device = "cpu", Split = new SplitOptions { Gap = 2 },
        });
        var v = result.Outcome.Validation;
        Assert.NotNull(v.Sigma);
        Assert.All(v.Sigma!, s => Assert.True(s > 0 && double.IsFinite(s)));
        Assert.Equal("gaussian", result.Document.Head);
        Assert.Equal("nll", result.Document.Training!.Loss);
        using var loaded = ModelFile.Load(dir.File("m"));
        Assert.Equal(2, loaded.Config.Outputs);
        Assert.Contains("sigma_target", File.ReadLines(Path.Combine(dir.File("m"), LearnFiles.Predictions)).First());

        // The sigma scale fitted on training frames is saved, read back, and applied: the loaded
        // model gives exactly the validation sigmas of training.
        var split = Splitter.Split(TrajectorySet.Open(data), new SplitOptions { Gap = 2 });
        var calibration = result.Outcome.Calibration!;
        Assert.True(calibration.Scale > 0 && double.IsFinite(calibration.Scale));
        Assert.Equal(split.Train.TotalFrames, calibration.Frames);
        Assert.Equal(calibration.Scale, result.Document.Calibration!.SigmaScale);
        Assert.Equal(calibration.Scale, loaded.Network.SigmaScale);
        var again = Trainer.Predict(loaded.Network, split.Validation, CPU);
        Assert.Equal(v.Sigma, again.Sigma);
        Assert.Equal(v.Target, again.Target);

        // With the scale applied, the intervals' coverage on the frames it was fitted on misses by what the fit says.
        var onTrain = Trainer.Predict(loaded.Network, split.Train, CPU);
        var coverage = Coverage.Of(onTrain, TargetTransform.Log, Trainer.CalibrationLevels)!;
        Assert.Equal(calibration.Miss, coverage.Max(c => Math.Abs(c.PerFrame - c.Nominal)), 9);
        // Fitting again on the loaded model ignores the scale it carries.
        Assert.Equal(calibration.Scale, Trainer.CalibrateSigma(loaded.Network, split.Train, CPU).Scale, 9);
        Assert.Equal(calibration.Scale, loaded.Network.SigmaScale);
    }

    [Fact]
    public void IntervalScaleMatchesCoverageAcrossLevels()
    {
        // Exactly Gaussian errors with σ twice too large: the fitted scale is about 1/2 and the miss is small.
        var rng = new Random(5);
        var z = Enumerable.Range(0, 20000).Select(_ =>
        {
            double u = 1 - rng.NextDouble(), v = rng.NextDouble();
            return Math.Abs(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v)) / 2;
        }).ToArray();
        var (scale, miss) = Trainer.IntervalScale(z);
        Assert.InRange(scale, 0.48, 0.52);
        Assert.InRange(miss, 0, 0.012);
        // Heavy tails (Laplace errors): the minimax scale is not the standard deviation's.
        var laplace = Enumerable.Range(0, 20000).Select(_ => -Math.Log(1 - rng.NextDouble())).ToArray();
        var (s2, miss2) = Trainer.IntervalScale(laplace);
        double rms = Math.Sqrt(laplace.Average(x => x * x));
        Assert.True(s2 < rms, $"{s2} vs {rms}");
        Assert.True(miss2 < 0.06, $"{miss2}");
        // Hand-checked case: z = 1..10 gives shares in tenths, and the scale must put 5 of 10 inside the 50% interval.
        var (s3, _) = Trainer.IntervalScale(Enumerable.Range(1, 10).Select(i => (double)i).ToArray());
        Assert.InRange(s3 * MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.75), 5, 6);
        Assert.Equal((1.0, double.NaN), Trainer.IntervalScale([]));
    }

    [Fact]
    public void SampleSpreadsFramesOverEveryRunAndStaysInsideTheRanges()
    {
        var runs = Enumerable.Range(0, 3).Select(i => new RunSelection(
            TestData.LabelledRun(i, 1000, 0.1 * (i + 1), out _), [new FrameSpan(0, 400), new FrameSpan(600, 400)])).ToList();
        var set = new FrameSet(runs);
        Assert.Same(set, set.Sample(2400));
        var sample = set.Sample(480);
        Assert.InRange(sample.TotalFrames, 430, 530);
        Assert.Equal(3, sample.Runs.Count);
        foreach (var run in sample.Runs)
        {
            Assert.True(run.Frames > 100);
            int last = -1;
            foreach (var r in run.Ranges)
            {
                Assert.True(r.Start > last && r.Count is > 0 and <= 16);
                Assert.True((r.Start >= 0 && r.End <= 400) || (r.Start >= 600 && r.End <= 1000), $"{r}");
                last = r.End - 1;
            }
        }
    }
}
