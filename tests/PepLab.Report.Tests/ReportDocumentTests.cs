using System.Text.RegularExpressions;
using System.Xml;
using PepLab.Report;
using PepLab.Tests;

namespace PepLab.Report.Tests;

public class ReportDocumentTests
{
    private static string Figure(TempDir dir, string name)
    {
        var path = dir.File(name);
        LearningFigures.TrainingCurves([1, 2, 3], [0.5, 0.3, 0.2], [0.6, 0.4, 0.35], [0.8, 0.9, 0.95], width: 400, height: 300).SavePng(path);
        return path;
    }

    [Fact]
    public void HtmlIsWellFormedSelfContainedAndMarkdownLinksExistingFiles()
    {
        using var dir = new TempDir();
        Figure(dir, "curves.png");
        var doc = new ReportDocument("Rolling <study> & more")
            .Heading("Question")
            .Paragraph("Does training on rolled frames help? P_t < 0.5 & density > 0.1")
            .Table(["setting", "r"], [["unrolled", "0.95"], ["d4 | roll", "0.99"]])
            .Figure("curves.png", "Training curves")
            .Bullets(["one", "two"])
            .Code("pep experiment rolling");
        var (md, html) = doc.Write(dir.Path);

        var text = File.ReadAllText(html);
        var xml = new XmlDocument();
        using (var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }))
            xml.Load(reader);
        Assert.Equal("Rolling <study> & more", xml.SelectSingleNode("//title")!.InnerText);
        var images = xml.SelectNodes("//img")!.Cast<XmlElement>().ToList();
        Assert.Single(images);
        var src = images[0].GetAttribute("src");
        Assert.StartsWith("data:image/png;base64,", src);
        Assert.Equal(File.ReadAllBytes(dir.File("curves.png")), Convert.FromBase64String(src["data:image/png;base64,".Length..]));
        Assert.Equal(3, xml.SelectNodes("//tr")!.Count);
        // no reference to any outside file: every src/href is a data URI
        Assert.DoesNotMatch(new Regex("(src|href)=\"(?!data:)"), text);

        var markdown = File.ReadAllText(md);
        foreach (Match m in Regex.Matches(markdown, @"!\[[^\]]*\]\(([^)]+)\)"))
            Assert.True(File.Exists(Path.Combine(dir.Path, m.Groups[1].Value)), m.Groups[1].Value);
        Assert.Contains("| d4 \\| roll | 0.99 |", markdown);
    }

    [Fact]
    public void AMissingFigureIsRefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        var doc = new ReportDocument("x").Figure("missing.png", "nothing");
        Assert.Throws<FileNotFoundException>(() => doc.Write(dir.Path));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
