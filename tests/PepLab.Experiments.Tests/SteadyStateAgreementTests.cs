using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PepLab.Analyse;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

/// <summary>
/// Every place that chooses a steady-state start reports the same t0 for the same run: pep
/// equilibrate, pep clusters --steady, pep plot timeseries, pep train --steady and the experiments'
/// analysis step (issue: one home per concept).
/// </summary>
public class SteadyStateAgreementTests
{
    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void EveryCommandReportsTheSameT0ForA3000FrameRun()
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        // Dense, persistent particles from a random start with no warm-up: clusters grow at first, so
        // the weighted mean cluster size has a transient and t0 > 0. 3,000 frames is above the exact
        // detector's limit, where the commands used to disagree on the method.
        var (code, _, error) = Pep.Run("simulate --nx 16 --ny 16 --density 0.3 --tumble 0.02 --warmup 0 --interval 1 " +
                                       "--snapshots 3000 --seed 7 --out data/run.h5 --quiet", dir.Path);
        Assert.True(code == 0, error);
        string run = Path.Combine(data, "run.h5");
        // Training needs a second P_t: a short run beside it, which only pep train reads.
        (code, _, error) = Pep.Run("simulate --nx 16 --ny 16 --density 0.3 --tumble 0.2 --snapshots 200 --seed 8 --out data/other.h5 --quiet", dir.Path);
        Assert.True(code == 0, error);

        (code, var output, error) = Pep.Run("equilibrate data/run.h5 --json -q", dir.Path);
        Assert.True(code == 0, error);
        int equilibrate = (int)JsonNode.Parse(output)!["rows"]!.AsArray().Single(r => (string?)r!["series"] == "run")!["t0"]!;

        (code, output, error) = Pep.Run("clusters data/run.h5 --out c.csv --steady -q", dir.Path);
        Assert.True(code == 0, error);
        int clusters = Int(Regex.Match(output, @"run: t0 = frame (\d+) ").Groups[1].Value);
        Assert.Equal(3000 - clusters + 1, File.ReadAllLines(Path.Combine(dir.Path, "c.csv")).Length);

        (code, output, error) = Pep.Run("plot timeseries data/run.h5 --out ts.png -q", dir.Path);
        Assert.True(code == 0, error);
        int plot = Int(Regex.Match(output, @"run: t0 = iteration \S+ \(frame (\d+)\)").Groups[1].Value);

        (code, _, error) = Pep.Run("train data --steady --layers \"CONV(2,k3,s2,circular) => GAP => FC(1)\" --epochs 1 --batch 64 " +
                                   "--threads 1 --steady-jobs 1 --out model --quiet", dir.Path);
        Assert.True(code == 0, error);
        var model = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "model", "model.json")))!;
        int train = (int)model["training"]!["steady_starts"]!["run.h5"]!;

        var series = RunAnalysis.Analyse(run, cancellation: TestContext.Current.CancellationToken);
        int experiments = StudyStages.Summarise(series).SteadyStart;

        Assert.True(equilibrate > 0, $"t0 = {equilibrate}: the run shows no transient");
        Assert.Equal([equilibrate, equilibrate, equilibrate, equilibrate], new[] { clusters, plot, train, experiments });
        Assert.Equal(new SteadyState().Compute(series).T0Frame, equilibrate);
    }
}
