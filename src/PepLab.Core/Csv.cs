using System.Globalization;
using nietras.SeparatedValues;

namespace PepLab.Core;

/// <summary>
/// PepLab's CSV convention, in one place, for every CSV file it writes: comma-separated, one header
/// line, "\n" line ends, UTF-8 without a byte-order mark, numbers in invariant culture with
/// round-trip precision, and a field quoted (RFC 4180) only when it holds a comma, a quote or a line
/// break. A value that is missing or undefined (a NaN, or no value at all) is an EMPTY field:
/// <c>pandas.read_csv</c> reads an empty field as NaN by default (as it does the text "NaN", which
/// PepLab never writes), and a whole-number column with empty fields comes back as float64.
/// Reading goes through the Sep library (<see cref="ReadColumn"/>).
/// </summary>
public static class Csv
{
    /// <summary>A text field, quoted when it holds a comma, a quote or a line break.</summary>
    public static string Field(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    /// <summary>A number with round-trip precision; NaN (undefined) is an empty field.</summary>
    public static string Num(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number with round-trip precision; null (missing) is an empty field.</summary>
    public static string Num(double? x) => x is { } v ? Num(v) : "";

    /// <summary>A whole number.</summary>
    public static string Num(long x) => x.ToString(CultureInfo.InvariantCulture);

    /// <summary>A whole number; null (missing) is an empty field.</summary>
    public static string Num(long? x) => x is { } v ? Num(v) : "";

    /// <summary>One line of fields already formatted by <see cref="Field"/> or <see cref="Num(double)"/> (no line end).</summary>
    public static string Line(params IEnumerable<string> fields) => string.Join(',', fields);

    /// <summary>The column names of the header line of <paramref name="path"/> (empty when the file is empty).</summary>
    public static IReadOnlyList<string> Header(string path)
    {
        using var reader = Open(path);
        return reader.Header.ColNames.Select(n => n.Trim()).ToList();
    }

    /// <summary>
    /// Reads the numeric column <paramref name="column"/> of a CSV file with a header line, split
    /// into series by the values of <paramref name="groupBy"/> (in order of first appearance), or one
    /// series named after the column. An empty field or "NaN" reads as NaN. When the file has a
    /// whole-number <c>iteration</c> column, its values come along (else Iterations is null).
    /// Errors name the file and line; an unknown column names <paramref name="columnSubject"/> or
    /// <paramref name="groupSubject"/> and lists the columns.
    /// </summary>
    public static List<(string Name, double[] Values, long[]? Iterations)> ReadColumn(string path, string column, string? groupBy,
        string columnSubject = "column", string groupSubject = "group")
    {
        using var reader = Open(path);
        var names = reader.Header.ColNames.Select(n => n.Trim()).ToList();
        if (names.Count == 0 || names.All(n => n.Length == 0)) throw new PepLabInputException(path, "is empty (expected a header line)");
        int col = IndexOf(names, column, path, columnSubject);
        int group = groupBy is null ? -1 : IndexOf(names, groupBy, path, groupSubject);
        int iterationColumn = names.IndexOf("iteration");
        bool haveIterations = iterationColumn >= 0;
        var series = new List<(string Name, List<double> Values, List<long> Iterations)>();
        var index = new Dictionary<string, int>();
        foreach (var row in reader)
        {
            if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty) continue;
            int line = row.LineNumberFrom;
            if (row.ColCount <= Math.Max(col, group))
                throw new PepLabInputException(path, $"line {line} has {row.ColCount} fields; the header has {names.Count}");
            double v = ParseNumber(row[col].Span.Trim(), path, line, column);
            string key = group >= 0 ? row[group].ToString() : column;
            if (!index.TryGetValue(key, out int k))
            {
                k = series.Count;
                index[key] = k;
                series.Add((key, new List<double>(), new List<long>()));
            }
            series[k].Values.Add(v);
            if (!haveIterations) continue;
            if (row.ColCount > iterationColumn
                && long.TryParse(row[iterationColumn].Span.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long it))
                series[k].Iterations.Add(it);
            else
                haveIterations = false; // not whole numbers: report positions only
        }
        if (series.Count == 0) throw new PepLabInputException(path, "has a header but no data lines");
        return series.Select(s => (s.Name, s.Values.ToArray(), haveIterations ? s.Iterations.ToArray() : null)).ToList();
    }

    private static SepReader Open(string path)
    {
        if (!File.Exists(path)) throw new PepLabInputException(path, "no such file");
        try
        {
            return Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new PepLabInputException(path, $"cannot be read: {e.Message}");
        }
    }

    private static int IndexOf(List<string> names, string name, string path, string subject)
    {
        int i = names.IndexOf(name);
        if (i < 0)
            throw new PepLabInputException(subject, $"'{name}' is not a column of {path}; columns: {string.Join(", ", names.Where(n => n.Length > 0))}");
        return i;
    }

    private static double ParseNumber(ReadOnlySpan<char> text, string path, int line, string column)
    {
        if (text.IsEmpty) return double.NaN;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        throw new PepLabInputException(path, $"line {line}: '{text}' in column '{column}' is not a number");
    }
}
