using System.Globalization;
using PepLab.Core;
using System.Net;
using System.Text;

namespace PepLab.Report;

/// <summary>
/// A research report built block by block and written twice: <c>report.md</c> (figures linked by
/// relative path) and <c>report.html</c> (one self-contained file: figures embedded as data URIs,
/// so it can be mailed or uploaded alone). Figures must exist when the report is written.
/// </summary>
public sealed class ReportDocument(string title)
{
    private abstract record Block;
    private sealed record HeadingBlock(int Level, string Text) : Block;
    private sealed record ParagraphBlock(string Text) : Block;
    private sealed record ListBlock(IReadOnlyList<string> Items) : Block;
    private sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;
    private sealed record FigureBlock(string Path, string Caption) : Block;
    private sealed record CodeBlock(string Text) : Block;

    private readonly List<Block> _blocks = new();

    public string Title { get; } = title;

    /// <summary>Who wrote the report (e.g. "PepLab 0.1.0"), stamped at its end.</summary>
    public string Generator { get; init; } = "PepLab";

    public ReportDocument Heading(string text, int level = 2) { _blocks.Add(new HeadingBlock(Math.Clamp(level, 2, 4), text)); return this; }
    public ReportDocument Paragraph(string text) { _blocks.Add(new ParagraphBlock(text)); return this; }
    public ReportDocument Bullets(IEnumerable<string> items) { _blocks.Add(new ListBlock(items.ToList())); return this; }
    public ReportDocument Code(string text) { _blocks.Add(new CodeBlock(text)); return this; }

    public ReportDocument Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var list = rows.ToList();
        if (list.Any(r => r.Count != header.Count)) throw new ArgumentException("every row needs one cell per column");
        _blocks.Add(new TableBlock(header, list));
        return this;
    }

    /// <summary>A figure file (PNG or GIF); its path is kept relative to the report's folder.</summary>
    public ReportDocument Figure(string path, string caption) { _blocks.Add(new FigureBlock(path, caption)); return this; }

    /// <summary>Files the report refers to.</summary>
    public IEnumerable<string> Figures => _blocks.OfType<FigureBlock>().Select(f => f.Path);

    /// <summary>Writes <c>report.md</c> and <c>report.html</c> into <paramref name="folder"/>; returns both paths.</summary>
    public (string Markdown, string Html) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var f in Figures)
        {
            var full = System.IO.Path.IsPathRooted(f) ? f : System.IO.Path.Combine(folder, f);
            if (!File.Exists(full)) throw new FileNotFoundException($"report figure '{f}' does not exist", full);
        }
        var md = System.IO.Path.Combine(folder, "report.md");
        var html = System.IO.Path.Combine(folder, "report.html");
        AtomicFile.WriteAllText(md, ToMarkdown(folder));
        AtomicFile.WriteAllText(html, ToHtml(folder));
        return (md, html);
    }

    public string ToMarkdown(string folder)
    {
        var s = new StringBuilder();
        s.Append("# ").Append(Title).Append("\n\n");
        foreach (var b in _blocks)
        {
            switch (b)
            {
                case HeadingBlock h: s.Append(new string('#', h.Level)).Append(' ').Append(h.Text).Append("\n\n"); break;
                case ParagraphBlock p: s.Append(p.Text).Append("\n\n"); break;
                case ListBlock l:
                    foreach (var item in l.Items) s.Append("- ").Append(item).Append('\n');
                    s.Append('\n');
                    break;
                case CodeBlock c: s.Append("```\n").Append(c.Text.TrimEnd()).Append("\n```\n\n"); break;
                case TableBlock t:
                    s.Append("| ").Append(string.Join(" | ", t.Header.Select(Cell))).Append(" |\n");
                    s.Append('|').Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                    foreach (var row in t.Rows) s.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
                    s.Append('\n');
                    break;
                case FigureBlock f:
                    s.Append("![").Append(f.Caption).Append("](").Append(Relative(folder, f.Path)).Append(")\n\n*")
                     .Append(f.Caption).Append("*\n\n");
                    break;
            }
        }
        return s.ToString();

        static string Cell(string x) => x.Replace("|", "\\|").ReplaceLineEndings(" ");
    }

    public string ToHtml(string folder)
    {
        var s = new StringBuilder();
        s.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>").Append(E(Title)).Append("</title>\n")
         .Append("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}")
         .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:right}")
         .Append("th{background:#eee}figure{margin:1.5em 0}img{max-width:100%}figcaption{color:#444;font-style:italic}")
         .Append("pre{background:#f5f5f5;padding:.8em;overflow-x:auto}</style>\n</head>\n<body>\n");
        s.Append("<h1>").Append(E(Title)).Append("</h1>\n");
        foreach (var b in _blocks)
        {
            switch (b)
            {
                case HeadingBlock h: s.Append($"<h{h.Level}>").Append(E(h.Text)).Append($"</h{h.Level}>\n"); break;
                case ParagraphBlock p: s.Append("<p>").Append(E(p.Text)).Append("</p>\n"); break;
                case ListBlock l:
                    s.Append("<ul>\n");
                    foreach (var item in l.Items) s.Append("<li>").Append(E(item)).Append("</li>\n");
                    s.Append("</ul>\n");
                    break;
                case CodeBlock c: s.Append("<pre><code>").Append(E(c.Text.TrimEnd())).Append("</code></pre>\n"); break;
                case TableBlock t:
                    s.Append("<table>\n<thead><tr>");
                    foreach (var h in t.Header) s.Append("<th>").Append(E(h)).Append("</th>");
                    s.Append("</tr></thead>\n<tbody>\n");
                    foreach (var row in t.Rows)
                    {
                        s.Append("<tr>");
                        foreach (var c in row) s.Append("<td>").Append(E(c)).Append("</td>");
                        s.Append("</tr>\n");
                    }
                    s.Append("</tbody>\n</table>\n");
                    break;
                case FigureBlock f:
                    var full = System.IO.Path.IsPathRooted(f.Path) ? f.Path : System.IO.Path.Combine(folder, f.Path);
                    var mime = f.Path.EndsWith(".gif", StringComparison.OrdinalIgnoreCase) ? "image/gif" : "image/png";
                    s.Append("<figure><img alt=\"").Append(E(f.Caption)).Append("\" src=\"data:").Append(mime).Append(";base64,")
                     .Append(Convert.ToBase64String(File.ReadAllBytes(full))).Append("\" /><figcaption>")
                     .Append(E(f.Caption)).Append("</figcaption></figure>\n");
                    break;
            }
        }
        s.Append("<p><small>Written by ").Append(E(Generator)).Append(" on ")
         .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append(".</small></p>\n");
        s.Append("</body>\n</html>\n");
        return s.ToString();
    }

    private static string E(string x) => WebUtility.HtmlEncode(x);

    private static string Relative(string folder, string path) =>
        System.IO.Path.IsPathRooted(path) ? System.IO.Path.GetRelativePath(folder, path).Replace('\\', '/') : path.Replace('\\', '/');
}
