using PepLab.Core;

namespace PepLab.Tests;

public class CsvTests
{
    [Fact]
    public void MissingAndUndefinedValuesAreEmptyFields()
    {
        Assert.Equal("", Csv.Num(double.NaN));
        Assert.Equal("", Csv.Num((double?)null));
        Assert.Equal("", Csv.Num((long?)null));
        Assert.Equal("0.1", Csv.Num(0.1));
        Assert.Equal("1E-05", Csv.Num(1e-5));
        Assert.Equal("-3", Csv.Num(-3L));
        Assert.Equal("a,\"b,c\",\"say \"\"hi\"\"\",", Csv.Line("a", Csv.Field("b,c"), Csv.Field("say \"hi\""), Csv.Num(double.NaN)));
    }

    [Fact]
    public void AColumnReadsBackPerGroupWithQuotesNaNAndIterations()
    {
        using var dir = new TempDir();
        string path = dir.File("series.csv");
        AtomicFile.WriteText(path, w =>
        {
            w.WriteLine(Csv.Line("run", "iteration", "value"));
            w.WriteLine(Csv.Line(Csv.Field("a,1"), Csv.Num(0L), Csv.Num(1.5)));
            w.WriteLine(Csv.Line("b", Csv.Num(0L), Csv.Num(double.NaN)));
            w.WriteLine();
            w.WriteLine(Csv.Line(Csv.Field("a,1"), Csv.Num(10L), Csv.Num(2.5)));
            w.WriteLine(Csv.Line("b", Csv.Num(10L), "NaN"));
        });
        var series = Csv.ReadColumn(path, "value", "run");
        Assert.Equal(2, series.Count);
        Assert.Equal("a,1", series[0].Name);
        Assert.Equal([1.5, 2.5], series[0].Values);
        Assert.Equal([0L, 10L], series[0].Iterations!);
        Assert.Equal("b", series[1].Name);
        Assert.All(series[1].Values, v => Assert.True(double.IsNaN(v)));

        var one = Assert.Single(Csv.ReadColumn(path, "iteration", null));
        Assert.Equal("iteration", one.Name);
        Assert.Equal([0.0, 0, 10, 10], one.Values);
        Assert.Equal(["run", "iteration", "value"], Csv.Header(path));
    }

    [Fact]
    public void BadInputNamesTheFileLineOrColumn()
    {
        using var dir = new TempDir();
        string path = dir.File("bad.csv");
        File.WriteAllText(path, "x,y\n1,2\n3,oops\n");
        var e = Assert.Throws<PepLabInputException>(() => Csv.ReadColumn(path, "y", null));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("oops", e.Message);
        e = Assert.Throws<PepLabInputException>(() => Csv.ReadColumn(path, "z", null, columnSubject: "--column"));
        Assert.Contains("--column", e.Message);
        Assert.Contains("x, y", e.Message);
        File.WriteAllText(path, "x,y\n");
        Assert.Throws<PepLabInputException>(() => Csv.ReadColumn(path, "y", null));
        File.WriteAllText(path, "");
        Assert.Throws<PepLabInputException>(() => Csv.ReadColumn(path, "y", null));
        Assert.Throws<PepLabInputException>(() => Csv.ReadColumn(dir.File("missing.csv"), "y", null));
    }

    [Fact]
    public void PandasReadsEmptyFieldsAsNaN()
    {
        var python = ExternalTools.Python("pandas");
        using var dir = new TempDir();
        string path = dir.File("t.csv");
        AtomicFile.WriteText(path, w =>
        {
            w.WriteLine(Csv.Line("name", "x", "n"));
            w.WriteLine(Csv.Line(Csv.Field("p,q"), Csv.Num(double.NaN), Csv.Num((long?)null)));
            w.WriteLine(Csv.Line("r", Csv.Num(0.25), Csv.Num(3L)));
        });
        string output = ExternalTools.RunPython(python, $$"""
            import pandas as pd, math
            t = pd.read_csv(r"{{path}}")
            assert list(t["name"]) == ["p,q", "r"]
            assert math.isnan(t["x"][0]) and t["x"][1] == 0.25
            assert math.isnan(t["n"][0]) and t["n"][1] == 3
            print("ok")
            """);
        Assert.StartsWith("ok", output);
    }
}
