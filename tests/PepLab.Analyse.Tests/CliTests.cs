using System.Globalization;
using System.Text.Json;
using PepLab.Tests;

namespace PepLab.Analyse.Tests;

/// <summary>The analysis commands end to end, run as the real <c>pep</c> program.</summary>
public class CliTests
{
    /// <summary>The row of <c>pep equilibrate --json</c> for <paramref name="series"/>.</summary>
    private static JsonElement Row(JsonElement document, string series) =>
        document.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("series").GetString() == series);

    private static (int Code, string Out, string Err) Pep(string workingDirectory, params string[] args) =>
        PepCli.Run(workingDirectory, args);

    [Fact]
    public void ClustersWritesTheKnownStatistics()
    {
        using var dir = new TempDir();
        string traj = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        var (code, output, error) = Pep(dir.Path, "clusters", traj, "--out", "c.csv", "--sizes", "s.csv", "--quiet");
        Assert.True(code == 0, error);
        Assert.Contains("wrote c.csv: 3 frames of 1 run", output);
        var lines = File.ReadAllLines(dir.File("c.csv"));
        string keys;
        using (var source = PepLab.Store.FrameSources.Open(traj)) keys = "," + PepLab.Store.RunKeys.Of(traj, source.Info).CsvFields();
        Assert.StartsWith(",known.h5,0.16666666666666666,0.5,,", keys);
        Assert.Equal(
        [
            "run,iteration,clusters,mean,weighted_mean,largest,polarisation,file,density,tumble,replica,seed",
            "known,0,1,4,4,1,1" + keys,
            "known,2,4,1,1,0.25,1" + keys,
            "known,4,2,2,2,0.5,0" + keys,
        ], lines);
        var sizes = File.ReadAllLines(dir.File("s.csv"));
        Assert.Equal("run,iteration,size,file,density,tumble,replica,seed", sizes[0]);
        Assert.Equal(new[] { "known,0,4", "known,2,1", "known,2,1", "known,2,1", "known,2,1", "known,4,2", "known,4,2" }.Select(l => l + keys), sizes[1..]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }

    [Fact]
    public void ClustersOnAFolderAnalysesEveryRunInOrder()
    {
        using var dir = new TempDir();
        var runs = Path.Combine(dir.Path, "runs");
        Directory.CreateDirectory(runs);
        using var inner = new TempDir();
        foreach (var name in new[] { "b.h5", "a.h5", "c.h5" })
            File.Move(DistributionAndSeriesTests.WriteKnownTrajectory(inner, name), Path.Combine(runs, name));
        var (code, _, error) = Pep(dir.Path, "clusters", runs, "-o", "all.csv", "--jobs", "2", "--frames", "1:", "-q");
        Assert.True(code == 0, error);
        var lines = File.ReadAllLines(dir.File("all.csv"));
        Assert.Equal(7, lines.Length);
        Assert.Equal(["a", "a", "b", "b", "c", "c"], lines[1..].Select(l => l.Split(',')[0]));
        Assert.All(lines[1..], l => Assert.NotEqual("0", l.Split(',')[1]));
    }

    [Fact]
    public void ClustersCsvReadsBackWithNumpy()
    {
        string python = ExternalTools.Python("numpy");
        using var dir = new TempDir();
        string traj = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        Assert.Equal(0, Pep(dir.Path, "clusters", traj, "-o", "c.csv", "-q").Code);
        string output = ExternalTools.RunPython(python, """
            import numpy as np
            d = np.genfromtxt('c.csv', delimiter=',', names=True, dtype=None, encoding='utf-8')
            print(list(d.dtype.names))
            print(int(d['clusters'].sum()), float(d['weighted_mean'].sum()), float(d['largest'][1]))
            """, dir.Path);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // genfromtxt renames a column called 'file' to 'file_' (its exclude list); pandas keeps it.
        Assert.Equal("['run', 'iteration', 'clusters', 'mean', 'weighted_mean', 'largest', 'polarisation', 'file_', 'density', 'tumble', 'replica', 'seed']", lines[0].Trim());
        Assert.Equal("7 7.0 0.25", lines[1].Trim());
    }

    [Theory]
    [InlineData("--frames", "2:10", "--frames")]
    [InlineData("--frames", "x", "--frames")]
    [InlineData("--stat", "biggest", "valid names: clusters, mean, weighted_mean, largest, polarisation")]
    public void ClustersBadInputIsOneLineAndExitTwo(string option, string value, string expected)
    {
        using var dir = new TempDir();
        string traj = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        var (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", option, value, "-q");
        Assert.Equal(2, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, error);
        Assert.False(File.Exists(dir.File("c.csv")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }

    [Fact]
    public void ClustersOnAFileThatIsNotATrajectory()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("fake.h5"), "not HDF5 at all");
        var (code, _, error) = Pep(dir.Path, "clusters", "fake.h5", "-o", "c.csv", "-q");
        Assert.Equal(2, code);
        Assert.Contains("fake.h5", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ClustersSteadyKeepsFramesFromT0()
    {
        using var dir = new TempDir();
        // 8 frames of one 16-site block, then 32 frames of 16 scattered particles: the weighted mean
        // size drops from 16 to about 1-2 at frame 8 and stays there.
        var p = new PepLab.Core.RunParameters { Nx = 8, Ny = 8, Density = 0.25, Tumble = 0.5, Snapshots = 40, Interval = 5, Warmup = 0 };
        var rng = new Random(7);
        using (var w = PepLab.Store.TrajectoryWriter.Create(dir.File("t.h5"), PepLab.Store.TrajectoryInfo.FromRun(p)))
        {
            for (int k = 0; k < 40; k++)
            {
                var frame = new byte[64];
                if (k < 8)
                {
                    for (int r = 2; r < 6; r++)
                        for (int c = 2; c < 6; c++) frame[r * 8 + c] = 2;
                }
                else
                {
                    foreach (int s in Enumerable.Range(0, 64).OrderBy(_ => rng.Next()).Take(16)) frame[s] = 1;
                }
                w.Write(k, 5L * k, frame);
            }
            w.Complete();
        }
        var (code, output, error) = Pep(dir.Path, "clusters", "t.h5", "-o", "c.csv", "--steady", "-q");
        Assert.True(code == 0, error);
        var lines = File.ReadAllLines(dir.File("c.csv"))[1..];
        int firstIteration = int.Parse(lines[0].Split(',')[1], CultureInfo.InvariantCulture);
        // t0 is 7 or 8 (iteration 35 or 40): keeping the last block frame as one outlier can cost
        // less N_eff than dropping a sample, and Chodera's criterion weighs exactly that.
        Assert.InRange(firstIteration, 35, 60);
        Assert.Equal(40 - firstIteration / 5, lines.Length);
        Assert.Contains($"kept {lines.Length} of 40 frames", output);
        Assert.All(lines[2..], l => Assert.True(double.Parse(l.Split(',')[4], CultureInfo.InvariantCulture) < 10));

        // Three frames are too few for steady-state detection: t0 = 0 (PepLab's one rule), every frame kept.
        string known = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        var (code2, output2, error2) = Pep(dir.Path, "clusters", known, "-o", "k.csv", "--steady", "-q");
        Assert.True(code2 == 0, error2);
        Assert.Contains("known: t0 = frame 0 (iteration 0), g = 1, N_eff = 1 (too short or constant to detect); kept 3 of 3 frames", output2);
        Assert.Equal(4, File.ReadAllLines(dir.File("k.csv")).Length);
    }

    [Fact]
    public void EquilibrateCsvColumnGivesPymbarsAnswerAsJson()
    {
        using var dir = new TempDir();
        // The "step" series of EquilibrationTests (pymbar: t0 41, g 1.0180857181549072, N_eff 157.15768432617188), twice, as two runs.
        var series = EquilibrationTests.Step();
        var lines = new List<string> { "run,iteration,value" };
        foreach (var run in new[] { "r1", "r2" })
            lines.AddRange(series.Select((v, i) => $"{run},{10 * i},{v.ToString("R", CultureInfo.InvariantCulture)}"));
        File.WriteAllLines(dir.File("s.csv"), lines);
        var (code, output, error) = Pep(dir.Path, "equilibrate", "--csv", "s.csv", "--column", "value", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        foreach (var run in new[] { "r1", "r2" })
        {
            var r = Row(json.RootElement, run);
            Assert.Equal(41, r.GetProperty("t0").GetInt32());
            Assert.Equal(1.0180857181549072, r.GetProperty("g").GetDouble());
            Assert.Equal(157.15768432617188, r.GetProperty("neff").GetDouble());
            Assert.Equal(410, r.GetProperty("iteration").GetInt64());
            Assert.Equal(200, r.GetProperty("points").GetInt32());
        }
        var (code2, _, error2) = Pep(dir.Path, "equilibrate", "--csv", "s.csv", "--column", "value", "--by", "run", "--out", "eq.csv", "--fast");
        Assert.True(code2 == 0, error2);
        var eq = File.ReadAllLines(dir.File("eq.csv"));
        Assert.Equal("series,points,t0,iteration,g,neff,mean,sd,mser_t0,method,file,density,tumble,replica,seed", eq[0]);
        Assert.StartsWith("r1,200,41,410,", eq[1]);
        Assert.EndsWith(",,,,,", eq[1]); // a CSV series belongs to no run: its keys are empty
        Assert.EndsWith(",fast,,,,,", eq[1]);
    }

    [Fact]
    public void EquilibrateOnTrajectoriesPrintsATable()
    {
        using var dir = new TempDir();
        string traj = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        var p = new PepLab.Core.RunParameters { Nx = 16, Ny = 16, Density = 0.3, Tumble = 0.1, Snapshots = 40, Warmup = 0, Interval = 1, Seed = 3 };
        PepLab.Simulate.Recorder.Record(p, dir.File("sim.h5"), cancellation: TestContext.Current.CancellationToken);
        File.Delete(traj);
        var (code, output, error) = Pep(dir.Path, "equilibrate", dir.Path, "--stat", "clusters", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("sim", output);
        Assert.Contains("N_eff", output);
        var (code2, output2, _) = Pep(dir.Path, "equilibrate", "sim.h5", "--json", "--stat", "largest");
        Assert.Equal(0, code2);
        var r = Row(JsonDocument.Parse(output2).RootElement, "sim");
        Assert.InRange(r.GetProperty("t0").GetInt32(), 0, 38);
        Assert.True(r.GetProperty("g").GetDouble() >= 1);
    }

    [Theory]
    [InlineData("--column", "nope", "'nope' is not a column")]
    [InlineData("--column", "text", "is not a number")]
    public void EquilibrateCsvBadInput(string option, string value, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("x.csv"), ["short,text", "1,a", "2,b", "3,c"]);
        var (code, _, error) = Pep(dir.Path, "equilibrate", "--csv", "x.csv", option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void EquilibrateGivesShortAndConstantSeriesTZeroAndGOne()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("x.csv"), ["short,flat", "1,2.5", "3,2.5", "2,2.5"]);
        foreach (var column in new[] { "short", "flat" })
        {
            var (code, output, error) = Pep(dir.Path, "equilibrate", "--csv", "x.csv", "--column", column, "--json");
            Assert.True(code == 0, error);
            var r = Row(JsonDocument.Parse(output).RootElement, column);
            Assert.Equal(0, r.GetProperty("t0").GetInt32());
            Assert.Equal(1.0, r.GetProperty("g").GetDouble());
            Assert.Equal(0, r.GetProperty("mser_t0").GetInt32());
            Assert.Equal(column == "short" ? 2.0 : 2.5, r.GetProperty("mean").GetDouble(), 12);
            Assert.Equal(column == "short" ? 1.0 : 0.0, r.GetProperty("sd").GetDouble(), 12);
        }
    }

    [Fact]
    public void EquilibrateReportsTZeroAsAFrameOfTheFile()
    {
        using var dir = new TempDir();
        var p = new PepLab.Core.RunParameters { Nx = 16, Ny = 16, Density = 0.3, Tumble = 0.1, Snapshots = 60, Warmup = 0, Interval = 1, Seed = 5 };
        PepLab.Simulate.Recorder.Record(p, dir.File("sim.h5"), cancellation: TestContext.Current.CancellationToken);
        var (code, output, error) = Pep(dir.Path, "equilibrate", "sim.h5", "--json", "--frames", "20:");
        Assert.True(code == 0, error);
        var r = Row(JsonDocument.Parse(output).RootElement, "sim");
        // The same series through the library: t0 counted in the series, reported in frames of the file.
        using var source = PepLab.Store.FrameSources.Open(dir.File("sim.h5"));
        var run = RunAnalysis.Analyse(source, FrameRange.Parse("20:"));
        var steady = new SteadyState().Compute(run);
        Assert.Equal(40, r.GetProperty("points").GetInt32());
        Assert.Equal(steady.T0 + 20, r.GetProperty("t0").GetInt32());
        Assert.Equal(steady.MserT0 + 20, r.GetProperty("mser_t0").GetInt32());
        Assert.Equal(run.Iterations[steady.T0], r.GetProperty("iteration").GetInt64());
        Assert.Equal("exact", r.GetProperty("method").GetString());
    }

    [Fact]
    public void EquilibrateRefusesContradictoryMethods()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("x.csv"), ["v", "1", "2", "3", "4", "5"]);
        var (code, _, error) = Pep(dir.Path, "equilibrate", "--csv", "x.csv", "--column", "v", "--exact", "--fast");
        Assert.Equal(2, code);
        Assert.Contains("--fast", error);
    }

    [Fact]
    public void EquilibrateNeedsAnInput()
    {
        using var dir = new TempDir();
        var (code, _, error) = Pep(dir.Path, "equilibrate");
        Assert.Equal(2, code);
        Assert.Contains("--csv FILE --column NAME", error);
    }
}
