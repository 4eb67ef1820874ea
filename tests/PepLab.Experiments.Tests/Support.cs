using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace PepLab.Experiments.Tests;

/// <summary>Runs the real <c>pep</c> program (built next to the tests) as a user would.</summary>
public static class Pep
{
    public static (int Code, string Out, string Err) Run(string arguments, string? workingDirectory = null) =>
        PepLab.Tests.PepCli.Run(arguments, workingDirectory);
}

public static class ReportChecks
{
    /// <summary>The repository root (holds PepLab.sln).</summary>
    public static string Repository()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "PepLab.sln"))) return d.FullName;
        throw new InvalidOperationException("PepLab.sln not found above the test folder");
    }

    /// <summary>report.html loads as XML; every src/href is an embedded data URI or a file that exists; every figure of report.md exists.</summary>
    public static XDocument CheckReport(string folder)
    {
        string html = Path.Combine(folder, "report.html"), md = Path.Combine(folder, "report.md");
        Assert.True(File.Exists(html) && File.Exists(md));
        using var reader = XmlReader.Create(html, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var doc = XDocument.Load(reader);
        Assert.Equal("html", doc.Root!.Name.LocalName);
        var refs = doc.Descendants().SelectMany(e => e.Attributes()).Where(a => a.Name.LocalName is "src" or "href").Select(a => a.Value).ToList();
        foreach (var r in refs)
            Assert.True(r.StartsWith("data:image/", StringComparison.Ordinal) || File.Exists(Path.Combine(folder, r)), $"report.html refers to missing '{r[..Math.Min(60, r.Length)]}'");
        var images = doc.Descendants().Where(e => e.Name.LocalName == "img").ToList();
        var mdFigures = Regex.Matches(File.ReadAllText(md), @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(mdFigures);
        Assert.Equal(mdFigures.Count, images.Count);
        foreach (var f in mdFigures) Assert.True(File.Exists(Path.Combine(folder, f)), $"report.md refers to missing {f}");
        return doc;
    }
}
