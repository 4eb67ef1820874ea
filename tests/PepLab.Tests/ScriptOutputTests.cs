using System.Text.Json;
using PepLab.Core;

namespace PepLab.Tests;

/// <summary>Output for scripts: --json documents, TSV tables when piped, --out - (pep runs as a child process, so stdout is a pipe).</summary>
public class ScriptOutputTests
{
    private sealed record Numbers(double Finite, double NotANumber, double Infinite, float Single, double? Missing);

    [Fact]
    public void NonFiniteNumbersAreNullAndReadBackAsNaN()
    {
        string text = PepLabJson.Text(PepLabJson.Document("test", new Numbers(1.5, double.NaN, double.NegativeInfinity, float.PositiveInfinity, null)));
        var json = ScriptOutput.Json(text, "test");
        Assert.Equal(1.5, (double)json["finite"]!);
        Assert.Null(json["not_a_number"]);
        Assert.Null(json["infinite"]);
        Assert.Null(json["single"]);
        Assert.True(json.ContainsKey("missing"));

        var back = JsonSerializer.Deserialize<Numbers>(text, PepLabJson.Options)!;
        Assert.True(double.IsNaN(back.NotANumber) && double.IsNaN(back.Infinite) && back.Missing is null);
        // Files written before the one style hold "NaN" strings: still read.
        var old = JsonSerializer.Deserialize<Numbers>("""{"finite": "NaN", "not_a_number": "-Infinity", "infinite": 2, "single": 1}""", PepLabJson.Options)!;
        Assert.True(double.IsNaN(old.Finite) && double.IsNegativeInfinity(old.NotANumber));
    }

    [Fact]
    public void SampleClustersEquilibrateDatasetAndStatusForScripts()
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        var (code, output, error) = PepCli.Run($"sample --density 0.3 --tumbles 0.1,0.2 --nx 16 --ny 16 --warmup 10 --snapshots 12 --interval 2 --jobs 1 --json --out \"{data}\"");
        Assert.True(code == 0, error);
        var sample = ScriptOutput.Json(output, "sample");
        Assert.Equal(2, (int)sample["completed"]!);
        Assert.Equal(0, (int)sample["failed_count"]!);

        (code, output, error) = PepCli.Run($"clusters \"{data}\" --out - --jobs 1 --quiet");
        Assert.True(code == 0, error);
        var csv = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(PepLab.Analyse.ClusterTable.Header, csv[0]);
        Assert.Equal(1 + 24, csv.Length);
        Assert.Contains("wrote standard output", error);
        Assert.False(File.Exists(Path.Combine(dir.Path, "-")));

        (code, output, error) = PepCli.Run($"clusters \"{data}\" --out \"{dir.File("c.csv")}\" --steady --json --jobs 1 --quiet");
        Assert.True(code == 0, error);
        var clusters = ScriptOutput.Json(output, "clusters");
        Assert.Equal(2, clusters["runs"]!.AsArray().Count);
        Assert.NotNull(clusters["runs"]![0]!["t0"]);

        (code, output, error) = PepCli.Run($"equilibrate \"{data}\" --json --jobs 1");
        Assert.True(code == 0, error);
        var rows = ScriptOutput.Json(output, "equilibrate")["rows"]!.AsArray();
        Assert.Equal(2, rows.Count);
        Assert.NotNull(rows[0]!["neff"]);

        (code, output, error) = PepCli.Run($"equilibrate \"{data}\" --out - --jobs 1 --quiet");
        Assert.True(code == 0, error);
        Assert.StartsWith(PepLab.Analyse.SteadyStateTable.CsvHeader + "\n", output);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        (code, output, error) = PepCli.Run($"equilibrate \"{data}\" --jobs 1 --quiet");
        Assert.True(code == 0, error);
        var table = ScriptOutput.Tsv(output);
        Assert.Equal("series", table[0][0]);
        Assert.Equal(3, table.Count);

        (code, output, error) = PepCli.Run($"dataset info \"{data}\" --json");
        Assert.True(code == 0, error);
        Assert.Equal(2, (int)ScriptOutput.Json(output, "dataset-info")["runs"]!);

        (code, output, error) = PepCli.Run($"dataset info \"{data}\"");
        Assert.True(code == 0, error);
        Assert.Contains(ScriptOutput.Tsv(output), r => r[0] == "layout");

        (code, output, error) = PepCli.Run($"status \"{data}\" --json");
        Assert.True(code == 0, error);
        ScriptOutput.Json(output, "dataset");

        string one = Directory.GetFiles(data, "*.h5").Order().First();
        (code, output, error) = PepCli.Run($"bench read \"{one}\" --repeat 2 --json");
        Assert.True(code == 0, error);
        Assert.Equal(2, ScriptOutput.Json(output, "bench-read")["passes"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("bench sim --nx 32 --ny 32 --seconds 0.2 --jobs 1", "bench-sim")]
    [InlineData("bench equilibrate --points 200 --seconds 0.2 --no-compare", "bench-equilibrate")]
    [InlineData("bench clusters --nx 32 --ny 32 --frame-count 10 --seconds 0.2 --no-compare", "bench-clusters")]
    [InlineData("bench train --nx 16 --ny 16 --frame-count 256 --seconds 0.5 --repeat 1", "bench-train")]
    public void BenchesPrintOneJsonDocument(string arguments, string kind)
    {
        using var dir = new TempDir();
        var (code, output, error) = PepCli.Run($"{arguments} --json", dir.Path);
        Assert.True(code == 0, error);
        var json = ScriptOutput.Json(output, kind);
        Assert.True(json.Count > 2, output);
    }

    [Fact]
    public void JsonAndStdoutCsvRefuseToShareStdout()
    {
        using var dir = new TempDir();
        var (code, output, error) = PepCli.Run($"equilibrate --csv \"{dir.File("x.csv")}\" --column a --out - --json");
        Assert.Equal(2, code);
        Assert.Contains("--json", error);
        Assert.Empty(output);
    }
}
