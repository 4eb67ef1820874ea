using System.Globalization;
using System.Text;
using PepLab.Core;

namespace PepLab.Cli;

/// <summary>
/// A text file written under a temporary name (<c>FILE.partial</c>) and renamed to its final name
/// only by <see cref="Complete"/>; disposing it before that deletes the temporary file, so no
/// half-written output is ever left under the final name.
/// </summary>
internal sealed class AtomicTextFile : IDisposable
{
    private bool _done;

    private AtomicTextFile(string path, string partial, StreamWriter writer)
    {
        Path = path;
        PartialPath = partial;
        Writer = writer;
    }

    public string Path { get; }
    public string PartialPath { get; }
    public StreamWriter Writer { get; }

    /// <summary>Starts <paramref name="path"/> (an existing file is replaced on completion). <paramref name="option"/> names the option in errors.</summary>
    public static AtomicTextFile Create(string path, string option)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new PepLabInputException(option, $"'{path}' is a folder, not a file");
        string partial = full + ".partial";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            var writer = new StreamWriter(partial, append: false, new UTF8Encoding(false), bufferSize: 1 << 16) { NewLine = "\n" };
            return new AtomicTextFile(full, partial, writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PepLabInputException(option, $"cannot write '{path}': {e.Message}");
        }
    }

    public void Complete()
    {
        if (_done) return;
        Writer.Dispose();
        File.Move(PartialPath, Path, overwrite: true);
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        Writer.Dispose();
        try { File.Delete(PartialPath); } catch (IOException) { }
    }
}

/// <summary>CSV text as pandas reads it: comma-separated, a header line, invariant numbers, NaN for undefined values.</summary>
internal static class Csv
{
    public static string Field(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    public static string Num(double x) => double.IsNaN(x) ? "NaN" : x.ToString("R", CultureInfo.InvariantCulture);

    public static string Num(long x) => x.ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits one CSV line into fields (RFC 4180 quoting; no line breaks inside quotes).</summary>
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                    else quoted = false;
                }
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        fields.Add(current.ToString());
        return fields;
    }

    /// <summary>
    /// Reads a numeric column of a CSV file with a header line, split into series by the values of
    /// <paramref name="groupBy"/> (in order of first appearance), or one series named after the column.
    /// When the file has a whole-number <c>iteration</c> column, its values come along.
    /// </summary>
    public static List<(string Name, double[] Values, long[]? Iterations)> ReadColumn(string path, string column, string? groupBy)
    {
        if (!File.Exists(path)) throw new PepLabInputException(path, "no such file");
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine();
        if (header is null) throw new PepLabInputException(path, "is empty (expected a header line)");
        var names = Split(header.TrimStart('\uFEFF')).Select(n => n.Trim()).ToList();
        int col = names.IndexOf(column);
        if (col < 0)
            throw new PepLabInputException("--column", $"'{column}' is not a column of {path}; columns: {string.Join(", ", names.Where(n => n.Length > 0))}");
        int group = -1;
        if (groupBy is not null)
        {
            group = names.IndexOf(groupBy);
            if (group < 0)
                throw new PepLabInputException("--by", $"'{groupBy}' is not a column of {path}; columns: {string.Join(", ", names.Where(n => n.Length > 0))}");
        }
        int iterationColumn = names.IndexOf("iteration");
        bool haveIterations = iterationColumn >= 0;
        var series = new List<(string Name, List<double> Values, List<long> Iterations)>();
        var index = new Dictionary<string, int>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var f = Split(line);
            if (f.Count <= Math.Max(col, group))
                throw new PepLabInputException(path, $"line {lineNumber} has {f.Count} fields; the header has {names.Count}");
            string text = f[col].Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new PepLabInputException(path, $"line {lineNumber}: '{text}' in column '{column}' is not a number");
            string key = group >= 0 ? f[group] : column;
            if (!index.TryGetValue(key, out int k))
            {
                k = series.Count;
                index[key] = k;
                series.Add((key, new List<double>(), new List<long>()));
            }
            series[k].Values.Add(v);
            if (haveIterations)
            {
                if (f.Count > iterationColumn && long.TryParse(f[iterationColumn].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long it))
                    series[k].Iterations.Add(it);
                else
                    haveIterations = false; // not whole numbers: report positions only
            }
        }
        if (series.Count == 0) throw new PepLabInputException(path, "has a header but no data lines");
        return series.Select(s => (s.Name, s.Values.ToArray(), haveIterations ? s.Iterations.ToArray() : null)).ToList();
    }
}
