using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PepLab.Tests;

/// <summary>Checks of what commands print for scripts: <c>--json</c> documents and TSV tables.</summary>
public static partial class ScriptOutput
{
    /// <summary>
    /// <paramref name="stdout"/> is exactly one JSON object of <paramref name="kind"/> in PepLab's style:
    /// "kind" and "peplab_version" first, snake_case keys throughout, no "NaN"/"Infinity" strings. Returns it.
    /// </summary>
    public static JsonObject Json(string stdout, string kind)
    {
        var node = JsonNode.Parse(stdout, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!.AsObject();
        var keys = node.Select(kv => kv.Key).ToList();
        Assert.Equal(["kind", "peplab_version"], keys.Take(2));
        Assert.Equal(kind, (string?)node["kind"]);
        Check(node, "$");
        return node;
    }

    private static void Check(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    Assert.True(SnakeCase().IsMatch(key), $"{path}: key '{key}' is not snake_case");
                    Check(value, $"{path}.{key}");
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++) Check(a[i], $"{path}[{i}]");
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                Assert.False((string?)v is "NaN" or "Infinity" or "-Infinity", $"{path}: a number written as the string '{v}'");
                break;
        }
    }

    /// <summary>The first TSV table of <paramref name="stdout"/> (consecutive lines with tabs, one column count; no box drawing anywhere); returns its rows, header first.</summary>
    public static List<string[]> Tsv(string stdout)
    {
        Assert.DoesNotMatch("[│─┌┐└┘├┤┬┴┼╭╮╰╯]", stdout);
        var rows = stdout.Split('\n').SkipWhile(l => !l.Contains('\t')).TakeWhile(l => l.Contains('\t')).Select(l => l.Split('\t')).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        return rows;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();
}
