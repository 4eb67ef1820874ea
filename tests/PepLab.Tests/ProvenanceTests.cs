using System.Globalization;
using System.Text.Json.Nodes;
using nietras.SeparatedValues;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;

namespace PepLab.Tests;

/// <summary>Every output says who wrote it: full version, command line, UTC time and host.</summary>
public class ProvenanceTests
{
    /// <summary>What <c>pep --version</c> prints.</summary>
    private static string PepVersion()
    {
        var (code, output, err) = PepCli.Run("--version");
        Assert.True(code == 0, err);
        return output.Trim();
    }

    private static void AssertRecent(string createdUtc)
    {
        var created = DateTime.ParseExact(createdUtc, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(created, DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public void ATrajectoryRecordsTheFullVersionTheCommandLineTheTimeAndTheHost()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.File("my runs"), "x.h5");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string args = "simulate --nx 8 --ny 8 --snapshots 2 --warmup 1 --seed 4 --quiet --out";
        var (code, _, err) = PepCli.Run($"{args} \"{path}\"", dir.Path);
        Assert.True(code == 0, err);

        string version = PepVersion();
        Assert.Contains('+', version);
        using var source = FrameSources.Open(path);
        var provenance = source.Info.Provenance;
        Assert.NotNull(provenance);
        Assert.Equal(version, provenance.Version);
        Assert.Equal(version, source.Info.PeplabVersion);
        Assert.Equal(PepLabVersion.Current, version);
        Assert.Equal($"pep {args} '{path}'", provenance.CommandLine);
        AssertRecent(provenance.CreatedUtc);
        Assert.Equal(Environment.MachineName, provenance.Host);
    }

    [Fact]
    public void AFileWrittenBeforeProvenanceIsReadWithoutIt()
    {
        using var dir = new TempDir();
        string path = dir.File("old.h5");
        DamagedTrajectories.Craft(path, s =>
        {
            s.Attributes[TrajectoryFormat.Attr.PeplabVersion] = "0.1.0";
            s.Attributes.Remove(TrajectoryFormat.Attr.CommandLine);
            s.Attributes.Remove(TrajectoryFormat.Attr.CreatedUtc);
            s.Attributes.Remove(TrajectoryFormat.Attr.Host);
        });
        using var source = FrameSources.Open(path);
        Assert.Null(source.Info.Provenance);
        Assert.Equal("0.1.0", source.Info.PeplabVersion);
        Assert.Equal(DamagedTrajectories.Frames, source.Count);
    }

    [Fact]
    public void ATrajectoryWriterRecordsItsOwnProcessNotTheInfoItIsGiven()
    {
        using var dir = new TempDir();
        var p = new RunParameters { Nx = 8, Ny = 8, Snapshots = 2, Warmup = 1, Seed = 2 };
        var stale = new Provenance { Version = "0.0.1", CommandLine = "pep other", CreatedUtc = "2000-01-01T00:00:00Z", Host = "elsewhere" };
        using (var writer = TrajectoryWriter.Create(dir.File("x.h5"), TrajectoryInfo.FromRun(p) with { Provenance = stale, PeplabVersion = "0.0.1" }))
        {
            Recorder.Finish(writer, p);
            Assert.Equal(PepLabVersion.Current, writer.Info.Provenance!.Version);
        }
        using var source = FrameSources.Open(dir.File("x.h5"));
        Assert.Equal(PepLabVersion.Current, source.Info.PeplabVersion);
        Assert.Equal(Environment.MachineName, source.Info.Provenance!.Host);
        AssertRecent(source.Info.Provenance.CreatedUtc);
        Assert.NotEmpty(source.Info.Provenance.CommandLine);
    }

    [Fact]
    public void SampleJsonAndTheManifestRecordProvenanceAndAResumeWithAnotherCommandLineIsAccepted()
    {
        using var dir = new TempDir();
        string data = dir.File("data");
        const string grid = "--densities 0.1 --tumbles 0.1,0.3 --nx 8 --ny 8 --snapshots 3 --warmup 2 --seed 3 --quiet";
        string first = $"sample {grid} --out {data}";
        var (code, _, err) = PepCli.Run(first, dir.Path);
        Assert.True(code == 0, err);
        string version = PepVersion();

        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(data, DataSet.SpecFile)))!["provenance"]!;
        Assert.Equal(version, (string?)spec[Provenance.VersionName]);
        Assert.Equal($"pep {first}", (string?)spec[Provenance.CommandLineName]);
        AssertRecent((string)spec[Provenance.CreatedUtcName]!);
        Assert.Equal(Environment.MachineName, (string?)spec[Provenance.HostName]);
        string specText = File.ReadAllText(Path.Combine(data, DataSet.SpecFile));

        // A run lost, then the sweep resumed by another command line: accepted, sample.json kept as its creator wrote it.
        var set = DataSet.Open(data);
        File.Delete(set.PathOf(set.Runs[1]));
        string resume = $"sample --out {data} --jobs 1 --quiet";
        (code, _, err) = PepCli.Run(resume, dir.Path);
        Assert.True(code == 0, err);
        (code, _, err) = PepCli.Run($"sample {grid} --jobs 2 --out {data}", dir.Path);
        Assert.True(code == 0, err);
        Assert.Equal(specText, File.ReadAllText(Path.Combine(data, DataSet.SpecFile)));

        string manifest = Path.Combine(data, DataSet.ManifestFile);
        Assert.Equal(DataSet.ManifestColumns, Csv.Header(manifest));
        var rows = ReadRows(manifest);
        Assert.Equal(set.Runs.Count, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(version, row[Provenance.VersionName]);
            AssertRecent(row[Provenance.CreatedUtcName]);
            Assert.Equal(Environment.MachineName, row[Provenance.HostName]);
        });
        // Each row names the command that wrote its file, as the file's attributes do.
        Assert.Equal($"pep {first}", rows[0][Provenance.CommandLineName]);
        Assert.Equal($"pep {resume}", rows[1][Provenance.CommandLineName]);
        foreach (var (run, row) in set.Runs.Zip(rows))
        {
            using var source = FrameSources.Open(set.PathOf(run));
            Assert.Equal(source.Info.Provenance!.CommandLine, row[Provenance.CommandLineName]);
            Assert.Equal(source.Info.Provenance.CreatedUtc, row[Provenance.CreatedUtcName]);
        }
    }

    [Fact]
    public void ADataSetWhoseSpecHasAnotherProvenanceIsTheSameDataSet()
    {
        using var dir = new TempDir();
        var spec = new SampleSpec { Densities = [0.1], Tumbles = [0.1], Nx = 8, Ny = 8, Warmup = 1, Snapshots = 2, BaseSeed = 1 };
        DataSet.CreateOrResume(dir.Path, spec);
        var other = spec with { Provenance = new Provenance { Version = "9", CommandLine = "pep x", CreatedUtc = "2000-01-01T00:00:00Z", Host = "h" } };
        var resumed = DataSet.CreateOrResume(dir.Path, other);
        Assert.NotNull(resumed.Spec.Provenance);
        Assert.Equal(PepLabVersion.Current, resumed.Spec.Provenance.Version);
        Assert.True(resumed.Spec.SameRunsAs(other));
    }

    [Theory]
    [InlineData(new string[0], "pep")]
    [InlineData(new[] { "simulate", "--out", "a b.h5" }, "pep simulate --out 'a b.h5'")]
    [InlineData(new[] { "x", "it's", "", "--d=0.1,0.2" }, "pep x 'it'\\''s' '' --d=0.1,0.2")]
    public void TheCommandLineIsQuotedForAPosixShell(string[] args, string line) =>
        Assert.Equal(line, Provenance.ShellLine(Provenance.Program, args));

    [Fact]
    public void TheDataHashDependsOnNamesAndBytesOnly()
    {
        using var dir = new TempDir();
        string a = dir.File("a"), b = dir.File("b");
        foreach (var root in new[] { a, b })
        {
            Directory.CreateDirectory(Path.Combine(root, "sub"));
            File.WriteAllBytes(Path.Combine(root, "r1.h5"), Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 7)).ToArray());
            File.WriteAllText(Path.Combine(root, "sub", "r2.h5"), "second");
        }
        string[] Files(string root) => [Path.Combine(root, "r1.h5"), Path.Combine(root, "sub", "r2.h5")];
        string hash = ContentHash.OfFiles(a, Files(a));
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, ContentHash.OfFiles(a, Files(a).Reverse()));
        Assert.Equal(hash, ContentHash.OfFiles(b, Files(b))); // another folder, the same names and bytes

        // What sha256sum gives, listing the files in C-locale order.
        var (code, output, err) = ExternalTools.Run("sh", $"-c \"cd '{a}' && sha256sum r1.h5 sub/r2.h5 | sha256sum\"");
        if (code == 0) Assert.StartsWith(hash + " ", output);
        else Assert.Fail(err);

        // One byte changed, then restored; a file renamed.
        var bytes = File.ReadAllBytes(Path.Combine(b, "r1.h5"));
        bytes[2_500_000] ^= 1;
        File.WriteAllBytes(Path.Combine(b, "r1.h5"), bytes);
        Assert.NotEqual(hash, ContentHash.OfFiles(b, Files(b)));
        bytes[2_500_000] ^= 1;
        File.WriteAllBytes(Path.Combine(b, "r1.h5"), bytes);
        Assert.Equal(hash, ContentHash.OfFiles(b, Files(b)));
        File.Move(Path.Combine(b, "sub", "r2.h5"), Path.Combine(b, "sub", "r3.h5"));
        Assert.NotEqual(hash, ContentHash.OfFiles(b, [Path.Combine(b, "r1.h5"), Path.Combine(b, "sub", "r3.h5")]));
    }

    /// <summary>The rows of a CSV file with a header line, each a column -> value map.</summary>
    private static List<Dictionary<string, string>> ReadRows(string path)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var names = reader.Header.ColNames;
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            var values = new Dictionary<string, string>();
            foreach (var name in names) values[name] = row[name].ToString();
            rows.Add(values);
        }
        return rows;
    }
}
