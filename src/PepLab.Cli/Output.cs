using System.Text.Json.Nodes;
using PepLab.Core;
using Spectre.Console;

namespace PepLab.Cli;

/// <summary>
/// What commands print for scripts: one JSON document (<c>--json</c>) in <see cref="PepLabJson"/>'s style,
/// and tables that are boxed on a terminal and plain TSV when stdout is a file or pipe.
/// </summary>
internal static class Output
{
    /// <summary><c>--json</c>: print one JSON document on stdout (progress stays on stderr).</summary>
    public static System.CommandLine.Option<bool> JsonOption() => Cli.Flag("--json",
        "Print one JSON document on stdout instead of text and tables: snake_case keys, \"kind\" and \"peplab_version\" first, NaN and infinities as null.");

    /// <summary>Prints <paramref name="value"/> as the <c>--json</c> document of kind <paramref name="kind"/>.</summary>
    public static void Json(string kind, object value) => Console.WriteLine(PepLabJson.Text(PepLabJson.Document(kind, value)));

    /// <summary>Prints a document a library made (already with its "kind").</summary>
    public static void Json(JsonNode document) => Console.WriteLine(PepLabJson.Text(document));

    /// <summary>Where messages go that are not the result: stderr when stdout carries a text output (<c>--out -</c>), else stdout.</summary>
    public static TextWriter Messages(string? output) => TextOutput.IsStandardOutput(output) ? Console.Error : Console.Out;
}

/// <summary>
/// A table of plain-text cells, shown by <see cref="Show"/>: on a terminal a Spectre table as wide as the
/// terminal (or <c>COLUMNS</c> when set); when stdout is a file or a pipe, tab-separated values (a header
/// line, one line per row, then an empty line; no title or box drawing) that scripts split on tabs.
/// </summary>
internal sealed class TextTable(params string[] columns)
{
    private readonly List<string[]> _rows = [];
    private int _rightFrom = int.MaxValue;

    /// <summary>Shown above the boxed table (not in TSV).</summary>
    public string? Title { get; init; }

    public TextTable Row(params string[] cells)
    {
        if (cells.Length != columns.Length) throw new ArgumentException($"a row of {cells.Length} cells in a table of {columns.Length} columns");
        _rows.Add(cells);
        return this;
    }

    /// <summary>Right-aligns the columns from <paramref name="column"/> on (numbers).</summary>
    public TextTable RightAlignFrom(int column)
    {
        _rightFrom = column;
        return this;
    }

    public void Show()
    {
        if (Console.IsOutputRedirected)
        {
            Console.Out.WriteLine(string.Join('\t', columns.Select(Cell)));
            foreach (var row in _rows) Console.Out.WriteLine(string.Join('\t', row.Select(Cell)));
            Console.Out.WriteLine(); // the table ends: a command that prints two keeps them apart
            return;
        }
        var table = new Table().AddColumns(columns.Select(Markup.Escape).ToArray());
        if (Title is not null) table.Title(Markup.Escape(Title));
        foreach (var c in table.Columns.Skip(_rightFrom)) c.RightAligned();
        foreach (var row in _rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int width) && width > 0) AnsiConsole.Profile.Width = width;
        AnsiConsole.Write(table);
    }

    private static string Cell(string text) => text.Replace('\t', ' ').ReplaceLineEndings(" ");
}
