using System.Globalization;
using Parquet;
using Parquet.Schema;
using PepLab.Core;
using PepLab.Store;
using PepLab.Tests;
using PureHDF;

namespace PepLab.Analyse.Tests;

/// <summary>
/// What <c>pep clusters</c> writes for Python users: the per-cluster table (CSV and Parquet), the label
/// image of every frame (HDF5), the join keys of every table, and the frame codes of the trajectory.
/// </summary>
public class ClusterOutputTests
{
    private static (int Code, string Out, string Err) Pep(string workingDirectory, params string[] args) =>
        PepCli.Run(workingDirectory, args);

    /// <summary>A small simulated run, with clusters of every shape.</summary>
    private static string Simulate(TempDir dir, string name = "sim.h5")
    {
        var (code, _, error) = Pep(dir.Path, "simulate", "--nx", "12", "--ny", "10", "--density", "0.3", "--tumble", "0.01",
            "--snapshots", "9", "--warmup", "20", "--interval", "3", "--seed", "7", "--out", name, "--quiet");
        Assert.True(code == 0, error);
        return dir.File(name);
    }

    /// <summary>Every cluster of every frame, computed here with <see cref="ClusterLabeller"/>.</summary>
    private static List<(int Frame, long Iteration, ClusterProperties Cluster, int[] Labels)> Expected(string path)
    {
        using var source = FrameSources.Open(path);
        var labeller = new ClusterLabeller(source.Info.Lattice);
        var rows = new List<(int, long, ClusterProperties, int[])>();
        foreach (var (index, iteration, frame) in source.Frames())
        {
            labeller.Compute(frame.Span, properties: true);
            var labels = labeller.Labels.ToArray();
            foreach (var c in labeller.Clusters) rows.Add((index, iteration, c, labels));
        }
        return rows;
    }

    [Fact]
    public void PerClusterCsvHoldsTheClusterProperties()
    {
        using var dir = new TempDir();
        string traj = Simulate(dir);
        var (code, output, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--per-cluster", "pc.csv", "-q");
        Assert.True(code == 0, error);
        Assert.Contains("per-cluster table in pc.csv", output);
        var lines = File.ReadAllLines(dir.File("pc.csv"));
        Assert.Equal(PerClusterTable.Header, lines[0]);
        Assert.Equal("run,frame,iteration,cluster,size,centre_row,centre_column,radius_of_gyration,polarisation,polarisation_x,polarisation_y,file,density,tumble,replica,seed", lines[0]);
        var expected = Expected(traj);
        Assert.Equal(expected.Count, lines.Length - 1);
        using var source = FrameSources.Open(traj);
        string keys = RunKeys.Of(traj, source.Info).CsvFields();
        Assert.Equal("sim.h5,0.3,0.01,,7", keys);
        for (int i = 0; i < expected.Count; i++)
        {
            var (frame, iteration, c, _) = expected[i];
            Assert.Equal(string.Join(',', "sim", Csv.Num(frame), Csv.Num(iteration), Csv.Num(c.Label), Csv.Num(c.Size), Csv.Num(c.CentreRow),
                Csv.Num(c.CentreColumn), Csv.Num(c.RadiusOfGyration), Csv.Num(c.Polarisation), Csv.Num(c.PolarisationX), Csv.Num(c.PolarisationY), keys), lines[i + 1]);
        }
        // The per-frame table has the same keys.
        var perFrame = File.ReadAllLines(dir.File("c.csv"));
        Assert.Equal(ClusterTable.Header, perFrame[0]);
        Assert.All(perFrame[1..], l => Assert.EndsWith("," + keys, l));
    }

    [Fact]
    public async Task PerClusterParquetAndLabelsReadBack()
    {
        using var dir = new TempDir();
        string traj = Simulate(dir);
        var (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--per-cluster", "pc.parquet", "--labels", "labels.h5",
            "--frames", "2:", "-q");
        Assert.True(code == 0, error);
        var expected = Expected(traj).Where(x => x.Frame >= 2).ToList();

        await using (var stream = File.OpenRead(dir.File("pc.parquet")))
        {
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(PerClusterTable.Columns, reader.Schema.GetDataFields().Select(f => f.Name));
            var fields = reader.Schema.GetDataFields();
            var frames = new List<int>();
            var clusters = new List<int>();
            var sizes = new List<int>();
            var rg = new List<double>();
            var files = new List<string>();
            var seeds = new List<ulong?>();
            var replicas = new List<int?>();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var group = reader.OpenRowGroupReader(g);
                int n = (int)group.RowCount;
                frames.AddRange(await Read<int>(group, fields[1], n));
                clusters.AddRange(await Read<int>(group, fields[3], n));
                sizes.AddRange(await Read<int>(group, fields[4], n));
                rg.AddRange(await Read<double>(group, fields[7], n));
                var f = new string?[n];
                await group.ReadAsync(fields[11], f.AsMemory());
                files.AddRange(f.Select(x => x ?? ""));
                var s = new ulong?[n];
                await group.ReadAsync<ulong>(fields[15], s.AsMemory());
                seeds.AddRange(s);
                var r = new int?[n];
                await group.ReadAsync<int>(fields[14], r.AsMemory());
                replicas.AddRange(r);
            }
            Assert.Equal(expected.Select(x => x.Frame), frames);
            Assert.Equal(expected.Select(x => x.Cluster.Label), clusters);
            Assert.Equal(expected.Select(x => x.Cluster.Size), sizes);
            Assert.Equal(expected.Select(x => x.Cluster.RadiusOfGyration), rg);
            Assert.All(files, f => Assert.Equal("sim.h5", f));
            Assert.All(seeds, s => Assert.Equal(7UL, s));
            Assert.All(replicas, r => Assert.Null(r));
        }

        using var h5 = H5File.OpenRead(dir.File("labels.h5"));
        Assert.Equal(ClusterLabelsFormat.FormatName, h5.Attribute("format").Read<string>());
        Assert.Equal(Orientation.CodeTable, h5.Attribute("frame_codes").Read<string>());
        var run = h5.Group("runs/0000");
        Assert.Equal("sim.h5", run.Attribute("file").Read<string>());
        Assert.Equal(0.01, run.Attribute("tumble").Read<double>());
        Assert.Equal(7UL, run.Attribute("seed").Read<ulong>());
        Assert.False(run.AttributeExists("replica"));
        var labels = run.Dataset("labels");
        Assert.Equal([7UL, 12, 10], labels.Space.Dimensions);
        var all = labels.Read<int[]>();
        var frameIndices = run.Dataset("frames").Read<int[]>();
        var iterations = run.Dataset("iterations").Read<long[]>();
        Assert.Equal(Enumerable.Range(2, 7), frameIndices);
        foreach (var (frame, iteration, _, expectedLabels) in expected)
        {
            Assert.Equal(iteration, iterations[frame - 2]);
            Assert.Equal(expectedLabels, all.AsSpan((frame - 2) * 120, 120).ToArray());
        }
    }

    private static async Task<T[]> Read<T>(ParquetRowGroupReader group, DataField field, int n) where T : struct
    {
        var values = new T[n];
        await group.ReadAsync(field, values.AsMemory());
        return values;
    }

    [Fact]
    public void LabelsAndPerClusterTableReadWithH5pyAndPandas()
    {
        string python = ExternalTools.Python("h5py", "pandas");
        using var dir = new TempDir();
        string traj = Simulate(dir);
        var (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--per-cluster", "pc.csv", "--labels", "labels.h5", "-q");
        Assert.True(code == 0, error);
        string output = ExternalTools.RunPython(python, """
            import h5py, numpy as np, pandas as pd
            pc = pd.read_csv('pc.csv')
            with h5py.File('labels.h5', 'r') as f:
                g = f['runs/0000']
                labels, frames = g['labels'][...], g['frames'][...]
                assert labels.dtype == np.int32 and labels.shape == (9, 12, 10), (labels.dtype, labels.shape)
                assert g.attrs['file'] == 'sim.h5' and int(g.attrs['seed']) == 7
                bad = 0
                for i, frame in enumerate(frames):
                    rows = pc[pc.frame == frame]
                    counts = np.bincount(labels[i].ravel(), minlength=len(rows) + 1)[1:]
                    bad += int((counts != rows['size'].to_numpy()).sum()) + int(labels[i].max() != len(rows))
            print(bad, len(pc), pc['file'].unique().tolist())
            """, dir.Path);
        Assert.Equal($"0 {Expected(traj).Count} ['sim.h5']", output.Trim());
    }

    [Fact]
    public void ClustersCsvJoinsTheManifestOnFile()
    {
        using var dir = new TempDir();
        var (code, _, error) = Pep(dir.Path, "sample", "--densities", "0.3", "--tumbles", "0.1,0.2", "--replicas", "2", "--nx", "8", "--ny", "8",
            "--snapshots", "4", "--warmup", "5", "--seed", "1", "--jobs", "1", "--out", "data", "--quiet");
        Assert.True(code == 0, error);
        (code, _, error) = Pep(dir.Path, "clusters", "data", "-o", "c.csv", "--per-cluster", "pc.csv", "-q");
        Assert.True(code == 0, error);
        var manifest = Table(dir.File("data/manifest.csv"));
        foreach (var table in new[] { Table(dir.File("c.csv")), Table(dir.File("pc.csv")) })
        {
            Assert.Equal(4, table.Select(r => r["file"]).Distinct().Count());
            foreach (var row in table)
            {
                var m = Assert.Single(manifest, x => x["file"] == row["file"]);
                foreach (var key in RunKeys.Columns) Assert.Equal(m[key], row[key]);
                Assert.EndsWith(".h5", row["file"]);
            }
        }
    }

    private static List<Dictionary<string, string>> Table(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines[1..].Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [Fact]
    public void TrajectoryFilesSayWhatTheirFrameCodesMean()
    {
        Assert.Equal("0 empty, 1 up, 2 right, 3 down, 4 left", Orientation.CodeTable);
        using var dir = new TempDir();
        string traj = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        using var file = H5File.OpenRead(traj);
        Assert.Equal(Orientation.CodeTable, file.Attribute(TrajectoryFormat.Attr.FrameCodes).Read<string>());
    }

    [Fact]
    public void LabelsWithSteadyAndClashingOutputsAreRefusedBeforeAnyFileIsWritten()
    {
        using var dir = new TempDir();
        string traj = DistributionAndSeriesTests.WriteKnownTrajectory(dir);
        var (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--labels", "l.h5", "--steady", "-q");
        Assert.NotEqual(0, code);
        Assert.Contains("--labels", error);
        (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--per-cluster", "pc.txt", "-q");
        Assert.NotEqual(0, code);
        Assert.Contains("--per-cluster", error);
        (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--per-cluster", "c.csv", "-q");
        Assert.NotEqual(0, code);
        Assert.Contains("--per-cluster", error);
        File.WriteAllText(dir.File("l.h5"), "there");
        (code, _, error) = Pep(dir.Path, "clusters", traj, "-o", "c.csv", "--labels", "l.h5", "-q");
        Assert.NotEqual(0, code);
        Assert.Contains("--labels", error);
        Assert.False(File.Exists(dir.File("c.csv")));
        Assert.Equal("there", File.ReadAllText(dir.File("l.h5")));
    }
}
