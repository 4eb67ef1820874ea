using PepLab.Tests;

namespace PepLab.Learn.Tests;

/// <summary>--json of the learning commands, NaN as null, and tables as TSV when piped (pep runs as a child process).</summary>
public class ScriptOutputTests
{
    [Fact]
    public void TrainPredictEvaluateAndModelSummaryForScripts()
    {
        using var dir = new TempDir();
        string data = TestData.Tiny(dir.File("data"), [0.05, 0.2], replicas: 2, frames: 16, side: 16);
        string model = dir.File("m");
        var (code, output, error) = Pep.Run($"train \"{data}\" --layers \"CONV(2,k3,s2,circular) => GAP => FC(1)\" --epochs 1 --batch 8 --threads 1 --out \"{model}\" --quiet --json");
        Assert.True(code == 0, error);
        var training = ScriptOutput.Json(output, "training");
        Assert.Equal("peplab.model", (string?)training["model"]!["format"]);
        Assert.NotNull(training["validation"]!["frames"]);

        // One P_t: Pearson r and R^2 are undefined, written as null (they were the string "NaN").
        (code, output, error) = Pep.Run($"evaluate \"{model}\" \"{data}\" --select-tumbles 0.05 --json --threads 1 --quiet --out \"{dir.File("eval")}\"");
        Assert.True(code == 0, error);
        var evaluation = ScriptOutput.Json(output, "evaluation")["evaluation"]!;
        Assert.True(evaluation.AsObject().ContainsKey("pearson"));
        Assert.Null(evaluation["pearson"]);
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(dir.File("eval"), "metrics.json")));

        (code, output, error) = Pep.Run($"evaluate \"{model}\" \"{data}\" --threads 1 --quiet --out \"{dir.File("eval2")}\"");
        Assert.True(code == 0, error);
        Assert.Contains(ScriptOutput.Tsv(output), r => r[0] == "P_t");

        (code, output, error) = Pep.Run($"predict \"{model}\" \"{data}\" --json --threads 1 --quiet --out \"{dir.File("pred")}\"");
        Assert.True(code == 0, error);
        Assert.Equal(4, ScriptOutput.Json(output, "prediction")["runs"]!.AsArray().Count);

        (code, output, error) = Pep.Run($"model summary \"{model}\" --json");
        Assert.True(code == 0, error);
        var summary = ScriptOutput.Json(output, "model-summary");
        Assert.Equal(3, summary["layer_shapes"]!.AsArray().Count);

        (code, output, error) = Pep.Run("model summary --layers \"CONV(4,k3) => GAP => FC(1)\" --nx 16 --ny 16");
        Assert.True(code == 0, error);
        var table = ScriptOutput.Tsv(output);
        Assert.Equal(["#", "layer", "output", "trainable parameters", "multiply-adds", "receptive field", "jump"], table[0]);
    }
}
