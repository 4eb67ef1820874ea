using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PepLab.Tests;

namespace PepLab.Experiments.Tests;

/// <summary>
/// docs/file-formats.md cannot go stale: pep writes a tiny instance of every file it documents, every
/// python block of the page runs against them, and every table marked <c>&lt;!-- fields: KIND PATH --&gt;</c>
/// lists exactly the fields the file has.
/// </summary>
public sealed partial class FileFormatDocTests
{
    private static string Doc => File.ReadAllText(Path.Combine(ReportChecks.Repository(), "docs", "file-formats.md"));

    /// <summary>Runs pep as a user would; fails the test on a non-zero exit.</summary>
    private static void Pep(string folder, params string[] args)
    {
        var (code, output, error) = PepCli.Run(folder, args);
        Assert.True(code == 0, $"pep {string.Join(' ', args)} failed ({code}):\n{error}\n{output}");
    }

    /// <summary>The prelude's variables, each naming a file or folder just written by pep in <paramref name="folder"/>.</summary>
    private static Dictionary<string, string> WriteOutputs(string folder)
    {
        Pep(folder, "sample", "--densities", "0.15,0.3", "--tumbles", "0.1,0.5", "--replicas", "2", "--nx", "16", "--ny", "16",
            "--snapshots", "20", "--warmup", "10", "--seed", "3", "--out", "data", "-q");
        Pep(folder, "clusters", "data", "--out", "clusters.csv", "--sizes", "sizes.csv", "-q");
        Pep(folder, "equilibrate", "data", "--out", "equilibrate.csv", "-q");
        Pep(folder, "train", "data", "--hold-out-replica", "1", "--epochs", "1", "--out", "model", "-q");
        Pep(folder, "evaluate", "model", "data", "--select-replicas", "1", "--out", "eval", "-q");
        string run = Path.Combine("data", "run_d0.15_t0.1_r0.h5");
        Pep(folder, "predict", "model", run, "--out", "predict", "-q");
        Pep(folder, "model", "export", "model", "--to", "pytorch", "--out", "torch");
        Pep(folder, "experiment", "baseline", "--tiny", "--out", "experiment", "-q");
        string P(string relative) => Path.Combine(folder, relative);
        return new()
        {
            ["RUN"] = P(run), ["DATA"] = P("data"), ["CLUSTERS"] = P("clusters.csv"), ["SIZES"] = P("sizes.csv"),
            ["EQUILIBRATE"] = P("equilibrate.csv"), ["MODEL"] = P("model"), ["EVAL"] = P("eval"), ["PREDICT"] = P("predict"),
            ["TORCH"] = P("torch"), ["EXPERIMENT"] = P("experiment"),
        };
    }

    [GeneratedRegex(@"^```python\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex PythonBlock();

    [GeneratedRegex(@"^<!-- fields: (\w+) (\S+) -->\n((?:\|.*\n)+)", RegexOptions.Multiline)]
    private static partial Regex FieldTable();

    /// <summary>(field, may be absent) of each row of a marked table: the first cell's `name`, optional when followed by '?'.</summary>
    public static List<(string Name, bool Optional)> Fields(string table) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2)
            .Select(row => row.Split('|')[1].Trim())
            .Select(cell => Regex.Match(cell, @"^`([^`]+)`(\?)?$"))
            .Select(m => m.Success ? (m.Groups[1].Value, m.Groups[2].Success) : throw new InvalidOperationException($"bad field cell in {table}"))
            .ToList();

    [Fact]
    public void The_documented_fields_are_the_fields_pep_writes_and_every_snippet_runs()
    {
        string python = ExternalTools.Python("h5py", "numpy", "pandas", "torch");
        using var dir = new TempDir();
        var paths = WriteOutputs(dir.Path);
        string doc = Doc;

        var tables = FieldTable().Matches(doc);
        Assert.True(tables.Count >= 12, $"expected a marked table per file, found {tables.Count}");
        foreach (Match table in tables)
        {
            string kind = table.Groups[1].Value, where = table.Groups[2].Value;
            var documented = Fields(table.Groups[3].Value);
            var actual = ActualFields(python, kind, where, paths);
            string context = $"docs/file-formats.md, table '{kind} {where}'";
            foreach (var name in actual)
                Assert.True(documented.Any(d => d.Name == name), $"{context}: the file has '{name}', the table does not list it");
            foreach (var (name, optional) in documented)
                Assert.True(optional || actual.Contains(name), $"{context}: the table lists '{name}', the file does not have it (mark it `{name}`? if it may be absent)");
            Assert.Equal(documented.Count, documented.Select(d => d.Name).Distinct().Count());
        }

        var blocks = PythonBlock().Matches(doc);
        Assert.True(blocks.Count >= 8, $"expected a python snippet per file, found {blocks.Count}");
        string prelude = string.Concat(paths.Select(p => $"{p.Key} = {JsonSerializer.Serialize(p.Value)}\n"));
        foreach (Match block in blocks)
        {
            var file = Path.Combine(dir.Path, "snippet.py");
            File.WriteAllText(file, prelude + block.Groups[1].Value);
            var (code, output, error) = ExternalTools.Run(python, $"\"{file}\"", dir.Path, timeoutMs: 300_000);
            Assert.True(code == 0, $"docs/file-formats.md snippet failed ({code}):\n{block.Groups[1].Value}\n{error}\n{output}");
        }
    }

    /// <summary>
    /// The fields of the file a table describes: <c>csv PATH</c> its header, <c>json PATH[#a.b[0]]</c>
    /// the keys of the object at that path, <c>attrs PATH</c> an HDF5 file's root attributes.
    /// PATH starts with a prelude variable (<c>DATA/manifest.csv</c>).
    /// </summary>
    private static HashSet<string> ActualFields(string python, string kind, string where, Dictionary<string, string> paths)
    {
        string[] parts = where.Split('#', 2);
        string[] segments = parts[0].Split('/', 2);
        Assert.True(paths.TryGetValue(segments[0], out var root), $"unknown prelude variable in '{where}'");
        string path = segments.Length == 2 ? Path.Combine(root, segments[1]) : root;
        switch (kind)
        {
            case "csv":
                return File.ReadLines(path).First().Split(',').ToHashSet();
            case "json":
                JsonNode node = JsonNode.Parse(File.ReadAllText(path))!;
                if (parts.Length == 2)
                    foreach (var key in parts[1].Split('.'))
                    {
                        var m = Regex.Match(key, @"^(\w+)(?:\[(\d+)\])?$");
                        node = node[m.Groups[1].Value]!;
                        if (m.Groups[2].Success) node = node[int.Parse(m.Groups[2].Value)]!;
                    }
                return node.AsObject().Select(p => p.Key).ToHashSet();
            case "attrs":
                string output = ExternalTools.RunPython(python, $"import h5py, json\nprint(json.dumps(list(h5py.File({JsonSerializer.Serialize(path)}).attrs)))\n");
                return JsonSerializer.Deserialize<string[]>(output)!.ToHashSet();
            default:
                throw new InvalidOperationException($"unknown table kind '{kind}'");
        }
    }
}
