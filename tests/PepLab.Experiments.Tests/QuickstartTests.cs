using System.Globalization;
using System.Text.Json.Nodes;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

public class QuickstartTests
{
    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void TinyQuickstartWritesAConsistentReportAndReusesItsData()
    {
        using var dir = new TempDir();
        string output = dir.File("qs");
        var host = new SilentHost();
        var (html, results) = Quickstart.Run(QuickstartOptions.Tiny(output), host);
        string reportFolder = Path.Combine(output, Quickstart.ReportFolder);
        Assert.Equal(Path.Combine(reportFolder, "report.html"), html);
        ReportChecks.CheckReport(reportFolder);

        // results.json read back agrees with the model's predictions.csv (replica 1 only, every frame).
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(reportFolder, Quickstart.ResultsFile)))!;
        Assert.Equal(PepLabVersion.Current, (string?)json["provenance"]![Provenance.VersionName]);
        Assert.Equal(Environment.MachineName, (string?)json["provenance"]![Provenance.HostName]);
        Assert.NotNull(json["provenance"]![Provenance.CommandLineName]);
        Assert.NotNull(json["provenance"]![Provenance.CreatedUtcName]);
        var lines = File.ReadAllLines(Path.Combine(output, Quickstart.ModelFolder, StudyStages.HeldOutFolder, LearnFiles.Predictions));
        var header = lines[0].Split(',');
        int file = Array.IndexOf(header, "file"), truth = Array.IndexOf(header, "true"), pred = Array.IndexOf(header, "pred");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal((int)json["test_frames"]!, rows.Count);
        Assert.All(rows, r => Assert.EndsWith("_r1.h5", r[file]));
        Assert.Equal(5 * 40, rows.Count); // five P_t, 40 snapshots each
        var t = rows.Select(r => D(r[truth])).ToArray();
        var p = rows.Select(r => D(r[pred])).ToArray();
        Assert.Equal((double)json["pearson"]!, SampleStatistics.Pearson(p, t), 9);
        Assert.Equal((double)json["mae"]!, t.Zip(p).Average(z => Math.Abs(z.First - z.Second)), 9);
        Assert.Equal(results.Pearson, (double)json["pearson"]!, 12);
        var perTumble = json["per_tumble"]!.AsArray();
        Assert.Equal(5, perTumble.Count);
        foreach (var g in perTumble)
        {
            double tumble = (double)g!["tumble"]!;
            var mine = t.Zip(p).Where(z => Math.Abs(z.First - tumble) < 1e-12).Select(z => z.Second).ToArray();
            Assert.Equal((int)g["frames"]!, mine.Length);
            Assert.Equal((double)g["mean"]!, mine.Average(), 9);
        }
        // Ten runs analysed, each with its steady start inside the run; train frames are replica 0's.
        var runs = json["runs"]!.AsArray();
        Assert.Equal(10, runs.Count);
        Assert.All(runs, r => Assert.InRange((int)r!["steady_start"]!, 0, (int)r["frames"]! - 1));
        Assert.Equal(5 * (40 - 8 - 5), (int)json["train_frames"]!); // replica 0 less its validation tail (20%) and the gap before it
        // The markdown report shows the same Pearson r.
        Assert.Contains($"Pearson r = {StudyStages.F(results.Pearson)}", File.ReadAllText(Path.Combine(reportFolder, "report.md")));

        // Again: the data set is reused (the sampler resumes and finds every run complete).
        var again = new SilentHost();
        Quickstart.Run(QuickstartOptions.Tiny(output), again);
        Assert.Contains(again.Lines, l => l.Contains("(reused)"));
        Assert.DoesNotContain(again.Lines, l => l.StartsWith("simulate:"));
    }

    [Fact]
    public void CommandLinePrintsTheReportPathAndRejectsBadOptions()
    {
        using var dir = new TempDir();
        var (code, output, error) = Pep.Run($"quickstart --tiny --quiet --out \"{dir.File("q")}\"");
        Assert.True(code == 0, error);
        Assert.Equal(Path.Combine(dir.File("q"), "report", "report.html"), output.Trim());
        (code, _, error) = Pep.Run($"quickstart --tiny --quiet --epochs 0 --out \"{dir.File("q2")}\"");
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--epochs", error);
    }
}
