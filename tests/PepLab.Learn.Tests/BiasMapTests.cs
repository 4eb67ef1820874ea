using System.Text.Json.Nodes;
using PepLab.Core;
using PepLab.Store;
using static TorchSharp.torch;

namespace PepLab.Learn.Tests;

/// <summary>The map of a network's output onto the truth that pep train fits after training (<see cref="BiasMap"/>).</summary>
public class BiasMapTests(TrainedTiny tiny) : IClassFixture<TrainedTiny>
{
    /// <summary>Frames of three true values whose outputs lean toward the middle (slope 0.8) with noise, 200 each.</summary>
    private static (double[] Raw, double[] Truth) Leaning(int perGroup = 200, params double[] values)
    {
        if (values.Length == 0) values = [-5, -3, -1];
        var rng = new Random(4);
        var raw = new List<double>();
        var truth = new List<double>();
        foreach (double t in values)
            for (int i = 0; i < perGroup; i++)
            {
                truth.Add(t);
                raw.Add(0.8 * t - 0.4 + 0.3 * (rng.NextDouble() - 0.5) + 0.2 * Math.Pow(rng.NextDouble(), 3));
            }
        return (raw.ToArray(), truth.ToArray());
    }

    [Fact]
    public void EachTrueValuesMeanMappedOutputIsExactlyThatValue()
    {
        var (raw, truth) = Leaning();
        var map = BiasMap.Fit(raw, truth)!;
        Assert.Equal(3, map.Raw.Count);
        Assert.Equal(600, map.Frames);
        foreach (double t in new[] { -5.0, -3, -1 })
        {
            var idx = Enumerable.Range(0, raw.Length).Where(i => truth[i] == t).ToArray();
            double rawMean = idx.Average(i => raw[i]);
            double mapped = idx.Average(i => map.Apply(raw[i]).Value);
            Assert.Equal(t, mapped, 10);
            Assert.True(Math.Abs(rawMean - t) > 0.1, $"the synthetic outputs lean ({rawMean} for {t})");
            Assert.Contains(map.Raw, x => Math.Abs(x - rawMean) < 1e-12); // knots sit at the group's mean output
        }
        for (int i = 1; i < map.Raw.Count; i++) Assert.True(map.Raw[i] > map.Raw[i - 1] && map.Mapped[i] > map.Mapped[i - 1]);
    }

    [Fact]
    public void ApplyInterpolatesInsideAndShiftsOutside()
    {
        var map = new BiasMap { Raw = [0, 1, 3], Mapped = [1, 3, 4], Frames = 60 };
        Assert.Equal((0.0, 1.0), map.Apply(-1));        // below: shifted by the first knot's offset, slope 1
        Assert.Equal((2.0, 2.0), map.Apply(0.5));       // between 0 and 1: slope 2
        Assert.Equal((3.5, 0.5), map.Apply(2));         // between 1 and 3: slope 0.5
        Assert.Equal((5.0, 1.0), map.Apply(4));         // above: shifted by the last knot's offset
        Assert.Equal(3.0, map.Apply(1).Value);
    }

    [Fact]
    public void GroupsWhoseOutputsDoNotIncreaseAreMergedAndTooSmallGroupsIgnored()
    {
        // Truth -4 and -2 have the same outputs on average: one knot for both, so the map stays monotone.
        var raw = new List<double>();
        var truth = new List<double>();
        for (int i = 0; i < 100; i++)
        {
            raw.Add(-3 + 0.01 * (i % 7)); truth.Add(-4);
            raw.Add(-3 - 0.01 * (i % 5)); truth.Add(-2);
            raw.Add(-0.5); truth.Add(0);
        }
        raw.Add(10); truth.Add(7); // one frame of a fourth value: too few for a knot
        var map = BiasMap.Fit(raw, truth)!;
        Assert.Equal(2, map.Raw.Count);
        Assert.Equal(300, map.Frames);
        var merged = Enumerable.Range(0, raw.Count).Where(i => truth[i] < -1).ToArray();
        Assert.Equal(-3.0, merged.Average(i => map.Apply(raw[i]).Value), 9); // the merged group maps onto its mean truth

        Assert.Null(BiasMap.Fit([1.0, 2.0], [0.1, 0.2]));
    }

    [Fact]
    public void ManyTrueValuesArePooledIntoAtMostMaxKnots()
    {
        var values = Enumerable.Range(0, 200).Select(i => -6 + 5.0 * i / 199).ToArray();
        var (raw, truth) = Leaning(40, values);
        var map = BiasMap.Fit(raw, truth)!;
        Assert.InRange(map.Raw.Count, BiasMap.MaxKnots / 2, BiasMap.MaxKnots);
        double before = raw.Zip(truth).Average(z => Math.Abs(z.First - z.Second));
        double after = raw.Zip(truth).Average(z => Math.Abs(map.Apply(z.First).Value - z.Second));
        Assert.True(after < before / 3, $"mean |error| {before} before the map, {after} after");
    }

    [Fact]
    public void AMapReadFromAFileIsChecked()
    {
        Assert.Contains("do not increase", Assert.Throws<PepLabInputException>(() =>
            new BiasMap { Raw = [0, 1], Mapped = [2, 1], Frames = 40 }.Validate("m.json")).Message);
        Assert.Contains("as many", Assert.Throws<PepLabInputException>(() =>
            new BiasMap { Raw = [0, 1], Mapped = [2], Frames = 40 }.Validate("m.json")).Message);
        Assert.Contains("finite", Assert.Throws<PepLabInputException>(() =>
            new BiasMap { Raw = [double.NaN], Mapped = [2], Frames = 40 }.Validate("m.json")).Message);
    }

    /// <summary>
    /// pep train fits the map on its training frames read as in prediction and saves it in model.json;
    /// loading applies it, so on those frames each P_t's mean prediction (in ln P_t) is its truth, and
    /// --uncalibrated gives the raw output.
    /// </summary>
    [Fact]
    public void TrainingSavesTheMapAndPredictionsApplyIt()
    {
        var doc = tiny.Result.Document;
        Assert.Equal(ModelFile.Version, doc.FormatVersion);
        var bias = doc.Calibration!.Bias!;
        Assert.Equal(TrainedTiny.Tumbles.Length, bias.Raw.Count);
        var split = Splitter.Split(TrajectorySet.Open(tiny.DataPath), new SplitOptions());
        Assert.Equal(split.Train.TotalFrames, bias.Frames);

        using var model = ModelFile.Load(tiny.ModelPath);
        var onTrain = Trainer.Predict(model.Network, split.Train, CPU);
        foreach (double t in TrainedTiny.Tumbles)
        {
            var idx = Enumerable.Range(0, onTrain.Count).Where(i => onTrain.Truth[i] == t).ToArray();
            Assert.Equal(Math.Log(t), idx.Average(i => onTrain.Target[i]), 4);
        }
        // Fitting again on the loaded model ignores the map it carries and finds the same one.
        var again = Trainer.CalibrateBias(model.Network, split.Train, CPU)!;
        Assert.Equal(bias.Raw.ToArray(), again.Raw.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(bias.Mapped, model.Network.Bias!.Mapped);

        using var calibrated = EvaluationJob.Open(tiny.ModelPath, tiny.DataPath, device: "cpu");
        using var raw = EvaluationJob.Open(tiny.ModelPath, tiny.DataPath, device: "cpu", uncalibrated: true);
        Assert.Null(raw.Model.Network.Bias);
        var (pc, dc) = calibrated.Evaluate();
        var (pr, dr) = raw.Evaluate();
        Assert.True(dc.Calibrated);
        Assert.False(dr.Calibrated);
        var map = calibrated.Model.Network.Bias!;
        for (int i = 0; i < pc.Count; i++) Assert.Equal(map.Apply(pr.Target[i]).Value, pc.Target[i], 9);
    }

    [Fact]
    public void AFormatVersion1ModelWithoutAMapIsStillRead()
    {
        using var dir = new TempDir();
        foreach (var f in Directory.GetFiles(tiny.ModelPath)) File.Copy(f, Path.Combine(dir.Path, Path.GetFileName(f)));
        string json = Path.Combine(dir.Path, ModelFile.JsonName);
        var node = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        node["format_version"] = 1;
        node.Remove("calibration");
        File.WriteAllText(json, node.ToJsonString());
        using var model = ModelFile.Load(dir.Path);
        Assert.Null(model.Network.Bias);

        node["format_version"] = 2;
        node["calibration"] = JsonNode.Parse("""{ "bias": { "raw": [1, 0], "mapped": [0, 1], "frames": 40 } }""");
        File.WriteAllText(json, node.ToJsonString());
        var e = Assert.Throws<PepLabInputException>(() => ModelFile.Load(dir.Path));
        Assert.StartsWith(json, e.Message);
        Assert.Contains("do not increase", e.Message);
    }

    /// <summary>--calibrate none keeps the raw output and writes no map; a bad value is one line naming the option.</summary>
    [Fact]
    public void CalibrateNoneKeepsTheRawOutput()
    {
        using var dir = new TempDir();
        string model = dir.File("m");
        var result = TrainingJob.Run(new TrainRequest
        {
            Dataset = tiny.DataPath, Out = model, Model = Architectures.PepLab, Epochs = 1, Batch = 16, Threads = 1, Device = "cpu", CalibrateBias = false,
        });
        Assert.Null(result.Outcome.Bias);
        Assert.Null(result.Document.Calibration);
        Assert.Equal("none", result.Document.Training!.Settings!["calibrate"]);
        Assert.Throws<PepLabInputException>(() => TrainOptions.ParseCalibration("isotonic"));
    }
}
