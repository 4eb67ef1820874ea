using System.Text.Json.Nodes;
using PepLab.Core;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

public class ConfigTests
{
    public static TheoryData<string> Kinds => new(ExperimentConfig.Kinds);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ShippedConfigParsesAndMatchesTheEmbeddedCopy(string kind)
    {
        string shipped = File.ReadAllText(Path.Combine(ReportChecks.Repository(), "experiments", $"{kind}.toml"));
        Assert.Equal(shipped, ExperimentConfig.BuiltIn(kind));
        var c = ExperimentConfig.Parse(shipped, $"{kind}.toml");
        Assert.Equal(kind, c.Kind);
        Assert.NotEmpty(c.Question);
        var tiny = c.Tiny().Validate("tiny");
        Assert.Single(tiny.Seeds);
        Assert.True(tiny.Data.Nx <= 32 && tiny.Data.Snapshots <= 24);
    }

    public static TheoryData<string> Shipped => new(ExperimentConfig.Shipped);

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryShippedConfigIsEmbeddedAndPassesTheCheck(string name)
    {
        string shipped = File.ReadAllText(Path.Combine(ReportChecks.Repository(), "experiments", $"{name}.toml"));
        Assert.Equal(shipped, ExperimentConfig.BuiltIn(name));
        using var dir = new TempDir();
        Experiment.Check(ExperimentConfig.Parse(shipped, $"{name}.toml"), dir.File("out"));
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void TheDensitiesStudyIsAHundredDensitiesAndTheEvenTumbles()
    {
        Assert.Equal(Directory.GetFiles(Path.Combine(ReportChecks.Repository(), "experiments"), "*.toml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal),
            ExperimentConfig.Shipped);
        var c = ExperimentConfig.Parse(ExperimentConfig.BuiltIn("densities"), "densities.toml");
        Assert.Equal("mixed-densities", c.Kind);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => Math.Round(0.005 * i, 12)), c.Data.Densities);
        Assert.Equal(ParameterGrid.EvenTumbles(), c.Data.Tumbles);
        Assert.True(c.Data.Replicas >= 2 && c.Train.HoldOutReplicas.All(h => h < c.Data.Replicas));
    }

    [Fact]
    public void DensitiesAndTumblesTakeTheGridSyntaxOfPepSample()
    {
        var c = ExperimentConfig.Parse("kind = \"mixed-densities\"\n[data]\ndensities = \"0.05:0.5:0.05\"\ntumbles = \"0.01,0.1\"\n", "g.toml");
        Assert.Equal(10, c.Data.Densities.Count);
        Assert.Equal(0.15, c.Data.Densities[2]);
        Assert.Equal([0.01, 0.1], c.Data.Tumbles);
    }

    [Fact]
    public void OverridesReplaceDataValuesAndNameTheirParameter()
    {
        var c = ExperimentConfig.Parse(ExperimentConfig.BuiltIn("densities"), "densities.toml");
        var scaled = c.With(new ExperimentOverrides { Densities = [0.1, 0.2], Snapshots = 50, Replicas = 3 });
        Assert.Equal([0.1, 0.2], scaled.Data.Densities);
        Assert.Equal((50, 3), (scaled.Data.Snapshots, scaled.Data.Replicas));
        Assert.Equal(c.Data.Nx, scaled.Data.Nx);
        Assert.Equal("snapshots", Assert.Throws<PepLabInputException>(() => c.With(new ExperimentOverrides { Snapshots = 4 })).Subject);
        Assert.Equal("replicas", Assert.Throws<PepLabInputException>(() => c.With(new ExperimentOverrides { Replicas = 1 })).Subject);
        Assert.Equal("densities", Assert.Throws<PepLabInputException>(() => c.With(new ExperimentOverrides { Densities = [0.5, 1.5] })).Subject);
        Assert.Equal(["--densities 0.1,0.25", "--snapshots 50"], new ExperimentOverrides { Densities = [0.1, 0.25], Snapshots = 50 }.Arguments());
        // The baseline holds out two replicas: it needs a third to train on.
        var baseline = ExperimentConfig.Parse(ExperimentConfig.BuiltIn("baseline"), "baseline.toml");
        Assert.Equal([1, 2], baseline.Train.HoldOutReplicas);
        Assert.Contains("at least 3", Assert.Throws<PepLabInputException>(() => baseline.With(new ExperimentOverrides { Replicas = 2 })).Message);
    }

    [Theory]
    [InlineData("kind = \"steady\"\n[train]\nepocs = 3\n", "train.epocs is not a known key")]
    [InlineData("kind = \"steady\"\n[train]\nepochs = \"ten\"\n", "train.epochs must be an integer (got the string \"ten\")")]
    [InlineData("kind = \"baseline\"\n[data]\ndensities = [0.1, \"x\"]\n", "data.densities must be a list of numbers")]
    [InlineData("kind = \"baseline\"\ncolour = 1\n", "colour is not a known key")]
    [InlineData("kind = \"nope\"\n", "kind = \"nope\" is not one of")]
    [InlineData("question = \"q\"\n", "misses the key 'kind'")]
    [InlineData("kind = \"steady\"\n[[setting]]\nname = \"a\"\n", "needs at least two settings")]
    [InlineData("kind = \"rolling\"\n[[setting]]\nname = \"a\"\naugment = \"twist\"\n[[setting]]\nname = \"b\"\n", "setting[0].augment")]
    [InlineData("kind = \"lattice-size\"\n[data]\nsizes = [32, 64]\n[train]\ntrain_size = 48\n", "train.train_size must be one of data.sizes")]
    [InlineData("kind = \"steady\"\n[train\n", "is not valid TOML")]
    [InlineData("kind = \"baseline\"\n[data]\nreplicas = 2\n[train]\nhold_out_replica = [0, 1]\n", "train.hold_out_replica holds out every replica of 2")]
    [InlineData("kind = \"baseline\"\n[data]\nreplicas = 3\n[train]\nhold_out_replica = [1, 3]\n", "train.hold_out_replica must be a replica 0..2")]
    [InlineData("kind = \"baseline\"\n[train]\nhold_out_replica = \"one\"\n", "train.hold_out_replica must be a list of integers")]
    [InlineData("kind = \"baseline\"\n[data]\ndensities = \"0.5:0.1:0.1\"\n", "data.densities '0.5:0.1:0.1' needs STEP > 0 and STOP >= START")]
    [InlineData("kind = \"baseline\"\n[data]\ntumbles = \"twist\"\n", "data.tumbles 'twist' is not a number")]
    public void BadConfigIsOneMessageNamingTheKey(string text, string expected)
    {
        var e = Assert.Throws<PepLabInputException>(() => ExperimentConfig.Parse(text, "bad.toml"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("bad.toml", e.Message);
    }

    [Fact]
    public void BadConfigOnTheCommandLineIsOneLineAndExitCode2()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.toml"), "kind = \"steady\"\n[train]\nepochs = 2.5\n");
        var (code, output, error) = Pep.Run($"experiment steady --config \"{dir.File("bad.toml")}\" --out \"{dir.File("o")}\"");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("train.epochs must be an integer", error);
        Assert.False(Directory.Exists(dir.File("o")));
        (code, _, error) = Pep.Run("experiment twirl");
        Assert.Equal(2, code);
        Assert.Contains("not a built-in experiment", error);
        (code, _, error) = Pep.Run($"experiment densities --tiny --snapshots 4 --out \"{dir.File("o")}\"");
        Assert.Equal(2, code);
        Assert.Contains("--snapshots: must be at least 8", error);
        Assert.False(Directory.Exists(dir.File("o")));
    }
}

public class IsotonicTests
{
    [Fact]
    public void PoolsViolatorsAndInterpolatesBetweenBlocks()
    {
        // Decreasing fit: (1, 5), (2, 3), (3, 4) -> the last two pool to 3.5 at x = 2.5.
        var fit = Isotonic.Fit([1.0, 2, 3], [5.0, 3, 4], increasing: false);
        Assert.Equal([(1.0, 5.0), (2.5, 3.5)], fit.Blocks);
        Assert.Equal(5, fit.Predict(0));
        Assert.Equal(4.25, fit.Predict(1.75), 12);
        Assert.Equal(3.5, fit.Predict(9));
        var up = Isotonic.Fit([3.0, 1, 2], [1.0, 2, 0], increasing: true);
        // Increasing fit of (1, 2), (2, 0), (3, 1): every point pools into one block at the means.
        Assert.Equal([(2.0, 1.0)], up.Blocks);
    }
}

public class SummaryTests
{
    private static Score S(string name, ulong seed, double r, double mae) => new()
    {
        Setting = name, Seed = seed, Frames = 10, Runs = 2, PearsonLog = r, Pearson = r, MaeLog = mae, RunMaeLog = mae,
    };

    [Fact]
    public void WinnerNamesTheBestSettingTheMarginAndTheSpread()
    {
        var one = Scoring.Winner([S("a", 1, 0.9, 0.2), S("b", 1, 0.95, 0.1)], ["a", "b"]);
        Assert.StartsWith("\"b\" won: r (ln Pₜ) = 0.95 against 0.9 for \"a\" (+0.05)", one);
        Assert.Contains("One seed", one);
        var two = Scoring.Winner([S("a", 1, 0.9, 0.2), S("a", 2, 0.92, 0.2), S("b", 1, 0.95, 0.1), S("b", 2, 0.97, 0.1)], ["a", "b"]);
        Assert.Contains("Over 2 seeds", two);
        Assert.Contains("larger than the seed-to-seed spread", two);
    }
}

public class TinyExperimentTests
{
    public static TheoryData<string> Kinds => new(ExperimentConfig.Kinds);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TinyVersionRunsAndWritesAWellFormedReport(string kind)
    {
        using var dir = new TempDir();
        string text = ExperimentConfig.BuiltIn(kind);
        var config = ExperimentConfig.Parse(text, kind);
        var (html, results) = Experiment.Run(kind, config, text, dir.Path, new SilentHost(), tiny: true);
        Assert.Equal(Path.Combine(dir.Path, "report.html"), html);
        ReportChecks.CheckReport(dir.Path);
        Assert.Equal(text, File.ReadAllText(dir.File(Experiment.ConfigFile)));
        // rerun.sh calls the program that wrote it (pep, or here the test host).
        string rerun = File.ReadAllText(dir.File(Experiment.RerunFile));
        Assert.Contains($" experiment {kind} --config config.toml --out . --tiny", rerun);
        Assert.Contains("&& exec ", rerun);
        var json = JsonNode.Parse(File.ReadAllText(dir.File(Experiment.ResultsFile)))!;
        Assert.Equal(kind, (string)json["kind"]!);
        Assert.Equal(PepLabVersion.Current, (string?)json["provenance"]![Provenance.VersionName]);
        Assert.Equal(Environment.MachineName, (string?)json["provenance"]![Provenance.HostName]);
        Assert.NotNull(json["provenance"]![Provenance.CommandLineName]);
        Assert.NotNull(json["provenance"]![Provenance.CreatedUtcName]);
        Assert.Equal(results.Summary, (string)json["summary"]!);
        Assert.Contains(results.Summary, File.ReadAllText(dir.File("report.md")));
        Assert.NotEmpty(results.Scores);
        Assert.All(results.Scores, s => Assert.True(s.Frames > 0 && s.Runs > 0 && double.IsFinite(s.MaeLog)));
        int expectedSettings = kind switch
        {
            "steady" => 2,
            "rolling" => 4,
            "baseline" => 3,
            "lattice-size" => 2,
            _ => 1,
        };
        Assert.Equal(expectedSettings, results.Scores.Select(s => s.Setting).Distinct().Count());
        if (kind == "mixed-densities") Assert.Equal(2, results.Scores.Count(s => s.Group != "all"));
        // The scored replica is set aside: never trained or validated on.
        foreach (var model in Directory.GetFiles(dir.File("models"), "model.json", SearchOption.AllDirectories))
            Assert.Contains("of replica 1 set aside", (string)JsonNode.Parse(File.ReadAllText(model))!["training"]!["split"]!["description"]!);
        Assert.True(results.DataBytes > 0);
    }
}

public class DensitiesStudyTests
{
    [Fact]
    public void ScaledDownStudyDrawsAccuracyAgainstDensityAndRerunsWithItsOverrides()
    {
        using var dir = new TempDir();
        string text = ExperimentConfig.BuiltIn("densities");
        var overrides = new ExperimentOverrides { Densities = [0.1, 0.2, 0.3], Snapshots = 16 };
        var (_, results) = Experiment.Run("densities", ExperimentConfig.Parse(text, "densities"), text, dir.Path, new SilentHost(), tiny: true, overrides: overrides);
        ReportChecks.CheckReport(dir.Path);
        Assert.Equal(["ρ = 0.1", "ρ = 0.2", "ρ = 0.3"], results.Scores.Where(s => s.Group != "all").Select(s => s.Group));
        Assert.All(results.Scores, s => Assert.Equal(3 * 16, s.Frames / (s.Group == "all" ? 3 : 1)));
        Assert.Contains("accuracy_r_vs_density.png", results.Figures);
        Assert.Contains("accuracy_error_vs_density.png", results.Figures);
        Assert.EndsWith("--out . --tiny --densities 0.1,0.2,0.3 --snapshots 16\n", File.ReadAllText(dir.File(Experiment.RerunFile)));
        Assert.Equal(text, File.ReadAllText(dir.File(Experiment.ConfigFile)));
    }
}

public class UncertaintyTests
{
    [Fact]
    public void GaussianHeadReportsIntervalCoverageInExperimentsAndEvaluate()
    {
        using var dir = new TempDir();
        string text = ExperimentConfig.BuiltIn("steady").Replace("model = \"peplab\"", "model = \"peplab\"\nhead = \"gaussian\"");
        var config = ExperimentConfig.Parse(text, "steady");
        Assert.Equal("gaussian", config.Train.Head);
        var (_, results) = Experiment.Run("steady", config, text, dir.File("exp"), new SilentHost(), tiny: true);
        Assert.All(results.Scores, s =>
        {
            Assert.NotNull(s.Coverage);
            Assert.Equal([0.5, 0.9], s.Coverage!.Select(c => c.Nominal));
            Assert.All(s.Coverage!, c => Assert.InRange(c.PerFrame, 0, 1));
            Assert.True(s.Coverage![0].PerFrame <= s.Coverage[1].PerFrame);
        });
        Assert.Contains("90% interval", File.ReadAllText(Path.Combine(dir.File("exp"), "report.md")));

        // pep evaluate on the same data with the trained gaussian model: coverage in metrics.json and on stdout.
        string model = Path.Combine(dir.File("exp"), "models", "all-frames-seed1");
        string data = Path.Combine(dir.File("exp"), "data");
        var (code, output, error) = Pep.Run($"evaluate \"{model}\" \"{data}\" --threads 1 --quiet --out \"{dir.File("eval")}\"");
        Assert.True(code == 0, error);
        Assert.Contains("90% intervals (gaussian head) contain the truth for", output);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.File("eval"), "metrics.json")))!;
        var coverage = json["coverage"]!.AsArray();
        Assert.Equal(2, coverage.Count);
        Assert.Equal(0.9, (double)coverage[1]!["nominal"]!);
        Assert.Equal(6, (int)coverage[1]!["runs"]!);
    }
}

public class ExperimentRerunTests
{
    [Fact]
    public void RerunReusesFinishedModelsWithoutTraining()
    {
        using var dir = new TempDir();
        string text = ExperimentConfig.BuiltIn("steady");
        var config = ExperimentConfig.Parse(text, "steady");
        var (_, first) = Experiment.Run("steady", config, text, dir.Path, new SilentHost(), tiny: true);
        var models = Directory.GetDirectories(Path.Combine(dir.Path, "models"));
        Assert.Equal(2, models.Length);
        var before = models.SelectMany(m => Directory.GetFiles(m)).ToDictionary(f => f, f => (File.GetLastWriteTimeUtc(f), File.ReadAllBytes(f)));

        var host = new SilentHost();
        var (_, second) = Experiment.Run("steady", config, text, dir.Path, host, tiny: true);
        Assert.Equal(2, host.Lines.Count(l => l.Contains("trained with the same settings: reused")));
        foreach (var (file, (time, bytes)) in before)
        {
            Assert.Equal(time, File.GetLastWriteTimeUtc(file));
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }
        Assert.Equal(first.Scores.Select(s => s.PearsonLog), second.Scores.Select(s => s.PearsonLog));
    }
}
