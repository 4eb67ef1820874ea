using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PepLab.Learn.Tests;

/// <summary>Runs the real <c>pep</c> program (built next to the tests) as a user would.</summary>
public static class Pep
{
    public static (int Code, string Out, string Err) Run(string arguments, string? workingDirectory = null) =>
        PepLab.Tests.PepCli.Run(arguments, workingDirectory);
}

public class CliTests(TrainedTiny tiny) : IClassFixture<TrainedTiny>
{
    [Fact]
    public void TrainEvaluatePredictAndInspectEndToEnd()
    {
        using var dir = new TempDir();
        string model = dir.File("m");
        var (code, output, error) = Pep.Run($"train \"{tiny.DataPath}\" --layers \"CONV(4,k3,s2,circular) => GAP => FC(1)\" --epochs 1 --batch 16 --threads 1 --out \"{model}\" --quiet");
        Assert.True(code == 0, error);
        Assert.Contains("validation (96 frames, 2 runs)", output);
        Assert.True(File.Exists(Path.Combine(model, "model.json")));
        Assert.Empty(error);

        (code, output, error) = Pep.Run($"evaluate \"{tiny.ModelPath}\" \"{tiny.DataPath}\" --json --threads 1 --quiet --out \"{dir.File("eval")}\"");
        Assert.True(code == 0, error);
        var json = JsonNode.Parse(output)!;
        Assert.Equal(192, (int)json["evaluation"]!["frames"]!);
        Assert.InRange((double)json["evaluation"]!["pearson"]!, 0.5, 1.0);
        Assert.Equal(2, json["evaluation"]!["per_tumble"]!.AsArray().Count);
        foreach (var f in new[] { "metrics.json", "per_tumble.csv", "predictions.csv", "runs.csv" })
            Assert.True(File.Exists(Path.Combine(dir.File("eval"), f)), f);
        Assert.Equal(193, File.ReadAllLines(Path.Combine(dir.File("eval"), "predictions.csv")).Length);

        // Only the held-out replica: half the runs.
        (code, output, error) = Pep.Run($"evaluate \"{tiny.ModelPath}\" \"{tiny.DataPath}\" --select-replicas 1 --json --threads 1 --quiet --out \"{dir.File("eval1")}\"");
        Assert.True(code == 0, error);
        Assert.Equal(96, (int)JsonNode.Parse(output)!["evaluation"]!["frames"]!);
        Assert.All(File.ReadAllLines(Path.Combine(dir.File("eval1"), "runs.csv")).Skip(1), line => Assert.Contains("_r1.h5", line));

        string one = Directory.GetFiles(tiny.DataPath, "*.h5").Order().First();
        (code, output, error) = Pep.Run($"predict \"{tiny.ModelPath}\" \"{one}\" --threads 1 --quiet --out \"{dir.File("pred")}\"");
        Assert.True(code == 0, error);
        Assert.Equal(49, File.ReadAllLines(Path.Combine(dir.File("pred"), "frames.csv")).Length);
        var runs = File.ReadAllLines(Path.Combine(dir.File("pred"), "runs.csv"));
        Assert.Equal(2, runs.Length);
        var cells = runs[1].Split(',');
        double estimate = double.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture);
        double low = double.Parse(cells[6], System.Globalization.CultureInfo.InvariantCulture);
        double high = double.Parse(cells[7], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(low < estimate && estimate < high);

        (code, output, error) = Pep.Run($"model summary \"{tiny.ModelPath}\"");
        Assert.True(code == 0, error);
        Assert.Contains("39 x 39", output);
        Assert.Contains("size-agnostic", output);

        (code, output, error) = Pep.Run($"model filters \"{tiny.ModelPath}\" --out \"{dir.File("filters")}\"");
        Assert.True(code == 0, error);
        var pngs = Directory.GetFiles(dir.File("filters"), "*.png");
        Assert.Equal(Path.Combine(dir.File("filters"), "filters.png"), Assert.Single(pngs));
        Assert.All(pngs, p => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(p)[..4]));
        Assert.Equal(1 + 16 * 4 * 9, File.ReadAllLines(Path.Combine(dir.File("filters"), "filters.csv")).Length);
    }

    [Fact]
    public void BenchTrainReportsEveryCaseAndThePairedRatio()
    {
        var (code, output, error) = Pep.Run("bench train --layers \"CONV(4,k3,s2,circular) => GAP => FC(1)\" --nx 16 --ny 16 --frame-count 256 --batch 16 " +
                                            "--seconds 0.3 --repeat 2 --threads 1");
        Assert.True(code == 0, error);
        foreach (var row in new[] { "loader alone", "network alone", "training from memory", "training from HDF5 on disk", "disk / memory, per round" })
            Assert.Contains(row, output);
        Assert.Matches(@"range \d+-\d+% over 2 round\(s\)", output);
    }

    [Theory]
    [InlineData("train {data} --model resnet --out {dir}/m", "unknown model 'resnet'")]
    [InlineData("train {data} --layers \"CONV(3,k5,s3) => FLATX => FC(1)\" --out {dir}/m", "unknown layer 'FLATX'")]
    [InlineData("train {data} --layers \"INPUT(4) => CONV(3) => GAP => FC(1)\" --encoding ordinal --out {dir}/m", "input channel")]
    [InlineData("train {data} --select-tumbles 0.5 --out {dir}/m", "single P_t")]
    [InlineData("train {dir} --out {dir}/m", "no trajectory files")]
    [InlineData("train {data} --split sideways --out {dir}/m", "unknown split")]
    [InlineData("train {data} --device tpu --out {dir}/m", "unknown device")]
    [InlineData("evaluate {dir}/none {data}", "no such model")]
    [InlineData("evaluate {model} {dir}", "no trajectory files")]
    [InlineData("evaluate {model} {data} --select-replicas 9", "no run matches --select-replicas 9")]
    [InlineData("model summary --layers \"CONV(3,k4,s3,valid) => FLATTEN => FC(1)\"", "not a whole number")]
    public void BadInputIsOneLineAndExitCodeTwo(string arguments, string expected)
    {
        using var dir = new TempDir();
        string args = arguments.Replace("{data}", $"\"{tiny.DataPath}\"").Replace("{dir}", dir.Path).Replace("{model}", $"\"{tiny.ModelPath}\"");
        var (code, _, error) = Pep.Run(args + (args.StartsWith("train") ? " --quiet" : ""));
        Assert.Equal(2, code);
        var lines = error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "m")));
    }

    [Fact]
    public void OldModelsAndSizesAModelCannotTakeAreOneLineErrors()
    {
        using var dir = new TempDir();
        // A FLATTEN model trained on 16x16 cannot take the 32x32 data set.
        string data16 = TestData.Tiny(dir.File("d16"), [0.01, 0.3], replicas: 1, frames: 8, side: 16);
        var (code, _, error) = Pep.Run($"train \"{data16}\" --model seed-starter --epochs 1 --split time --gap 1 --threads 1 --out \"{dir.File("m16")}\" --quiet");
        Assert.True(code == 0, error);
        (code, _, error) = Pep.Run($"evaluate \"{dir.File("m16")}\" \"{tiny.DataPath}\" --quiet");
        Assert.Equal(2, code);
        Assert.Contains("built for 16x16", error);
        Assert.Single(error.Trim().Split('\n'));

        string json = Path.Combine(dir.File("m16"), "model.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace($"\"format_version\": {ModelFile.Version}", "\"format_version\": 7"));
        (code, _, error) = Pep.Run($"predict \"{dir.File("m16")}\" \"{data16}\" --quiet");
        Assert.Equal(2, code);
        Assert.Contains("format version 7", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("predict", "frames.csv")]
    [InlineData("evaluate", "metrics.json")]
    public void ExistingResultsAreOneLineNamingOutAndAreReplacedOnlyWithOverwrite(string command, string file)
    {
        using var dir = new TempDir();
        string folder = dir.File("out");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, file), "earlier result");
        string line = $"{command} \"{tiny.ModelPath}\" \"{tiny.DataPath}\" --threads 1 --quiet --out \"{folder}\"";
        var (code, _, error) = Pep.Run(line);
        Assert.Equal(2, code);
        string message = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--out", message);
        Assert.Contains("--overwrite", message);
        Assert.Equal("earlier result", File.ReadAllText(Path.Combine(folder, file)));
        (code, _, error) = Pep.Run(line + " --overwrite");
        Assert.True(code == 0, error);
        Assert.NotEqual("earlier result", File.ReadAllText(Path.Combine(folder, file)));
    }
}
