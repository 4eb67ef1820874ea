using System.CommandLine;
using System.Text.Json;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using Spectre.Console;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep equilibrate</c>: where each run (or any CSV time series) reaches its steady state.</summary>
internal static class EquilibrateCommand
{
    /// <summary>One analysed series: Chodera's t0 (a trajectory frame, or a point of a CSV series), g, N_eff, the steady mean and sd, MSER's t0 and the detector used.</summary>
    internal sealed record Row(string Series, int Points, int T0, long? Iteration, double G, double NEff, double Mean, double Sd, int MserT0, string Method);

    public static Command Build()
    {
        var path = ClustersCommand.PathArgument(required: false);
        var csvFile = PathOption("--csv", "Analyse a column of this CSV file instead of trajectories (any time series with a header line).");
        var column = PathOption("--column", "With --csv: the column holding the series.");
        var by = PathOption("--by", "With --csv: split the column into one series per value of this column (default: 'run' when the file has it, as pep clusters writes).");
        var stat = ClustersCommand.StatOption("whose steady state is sought (trajectories)");
        var frames = ClustersCommand.FramesOption();
        var exact = Flag("--exact", $"Always use the exact method (pymbar's answer), also above {SteadyState.ExactLimit} points where every command uses the fast variant.");
        var fast = Flag("--fast", "Always use the fast variant (FFT autocorrelation, coarse-to-fine search over t0); may differ from pymbar's answer on near-ties or several N_eff peaks.");
        var increasing = Flag("--increasing-lags", "Sum the autocorrelation at lags 1, 2, 4, 7, 11, ... like pymbar's detectEquilibration default (fast=True) instead of at every lag.");
        var json = Flag("--json", "Print the results as JSON for scripts: {\"SERIES\": {\"t0\": ..., \"g\": ..., \"neff\": ..., ...}, ...}.");
        var output = PathOption("--out", "Also write the results as CSV: " + CsvHeader + ".", "-o");
        var jobs = ClustersCommand.JobsOption();
        var quiet = Flag("--quiet", "No progress output.", "-q");
        csvFile.HelpName = "FILE";
        column.HelpName = "NAME";
        by.HelpName = "NAME";
        output.HelpName = "FILE";

        var cmd = new Command("equilibrate",
            "Find where each run reaches its steady state: t0 maximises the effective number of uncorrelated samples " +
            "N_eff = (T - t0 + 1) / g (Chodera's method, identical to pymbar's timeseries.detectEquilibration with nskip=1; " +
            $"above {SteadyState.ExactLimit} points its fast variant, as in every command). " +
            "Also reports MSER's t0 (White's marginal standard error rule) as an independent check, and the mean and standard " +
            "deviation of the steady part. PATH is a trajectory file or a folder of them; or use --csv FILE --column NAME " +
            "(when the CSV has an 'iteration' column, the iteration at t0 is reported too). t0 and the MSER t0 are frames of the trajectory " +
            "file, as pep clusters --steady, pep plot timeseries and pep train --steady report them (they differ from the position in the " +
            "series with --frames); for --csv input, positions in the series. A series of fewer than 4 points or of equal values has t0 = 0, g = 1.");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { csvFile, column, by, stat, frames, exact, fast, increasing, json, output, jobs, quiet }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("equilibrate", () =>
        {
            string? pathValue = r.GetValue(path), csvValue = r.GetValue(csvFile);
            if (pathValue is not null && csvValue is not null) throw new PepLabInputException("--csv", "give either PATH or --csv FILE, not both");
            if (pathValue is null && csvValue is null) throw new PepLabInputException("PATH", "give a trajectory file or folder, or --csv FILE --column NAME");
            var method = Method(r.GetValue(exact), r.GetValue(fast), r.GetValue(increasing));
            if (r.GetValue(output) is { } target) AtomicFile.CheckTarget(target, overwrite: true, "--out");

            var inputs = new List<(string Name, double[] Values, long[]? Iterations, int[]? Frames)>();
            if (csvValue is not null)
            {
                string col = r.GetValue(column) ?? throw new PepLabInputException("--column", "is required with --csv (the column holding the series)");
                string? group = r.GetValue(by) ?? (HasColumn(csvValue, "run") && col != "run" ? "run" : null);
                foreach (var (name, values, iterations) in Csv.ReadColumn(csvValue, col, group, "--column", "--by")) inputs.Add((name, values, iterations, null));
            }
            else
            {
                if (r.GetValue(column) is not null) throw new PepLabInputException("--column", "applies to --csv input; for trajectories use --stat");
                var statistic = FrameStatisticNames.Parse(r.GetValue(stat)!);
                var files = DataSet.TrajectoryFiles(pathValue!);
                var range = r.GetValue(frames) is { } f ? FrameRange.Parse(f) : (FrameRange?)null;
                int j = r.GetValue(jobs);
                if (j < 1) throw new PepLabInputException("--jobs", $"must be at least 1 (got {j})");
                long total = ClustersCommand.TotalFrames(files, range);
                Progress.Run(r.GetValue(quiet) || r.GetValue(json), "equilibrate", total, "frames", report =>
                {
                    long done = 0;
                    var gate = new object();
                    RunAnalysis.AnalyseFiles(files, j, range, keepSizes: false,
                        (_, run) => inputs.Add((run.Name, run.Series(statistic), run.Iterations, run.FrameIndices)),
                        n => { lock (gate) { done += n; report(done); } }, Cancellation);
                    return 0;
                });
            }

            var rows = new List<Row>();
            var steady = new SteadyState(method);
            foreach (var (name, values, iterations, frameIndices) in inputs)
            {
                steady.Compute(values, frameIndices, name);
                rows.Add(new Row(name, steady.Points, steady.T0Frame, iterations?[steady.T0], steady.G, steady.NEff, steady.Mean, steady.Sd,
                    steady.MserT0Frame, MethodName(steady.MethodUsed)));
            }

            if (r.GetValue(output) is { } outPath) WriteCsv(outPath, rows);
            if (r.GetValue(json)) Console.WriteLine(Json(rows));
            else AnsiConsole.Write(Table(rows, method == SteadyStateMethod.Auto ? $"exact up to {SteadyState.ExactLimit} points, fast above" : MethodName(method)));
            return Ok;
        }));
        return cmd;
    }

    /// <summary>Header of the --out CSV.</summary>
    internal const string CsvHeader = "series,points,t0,iteration,g,neff,mean,sd,mser_t0,method";

    private static SteadyStateMethod Method(bool exact, bool fast, bool increasingLags)
    {
        if (exact && fast) throw new PepLabInputException("--fast", "contradicts --exact: give one of them");
        if (fast && increasingLags) throw new PepLabInputException("--increasing-lags", "applies to the exact method only, not with --fast");
        return increasingLags ? SteadyStateMethod.ExactIncreasingLags
            : exact ? SteadyStateMethod.Exact
            : fast ? SteadyStateMethod.Fast
            : SteadyStateMethod.Auto;
    }

    private static string MethodName(SteadyStateMethod method) => method switch
    {
        SteadyStateMethod.Exact => "exact",
        SteadyStateMethod.ExactIncreasingLags => "exact, increasing lags",
        SteadyStateMethod.Fast => "fast",
        _ => "auto",
    };

    private static bool HasColumn(string csvPath, string name) => Csv.Header(csvPath).Contains(name);

    private static Table Table(List<Row> rows, string method)
    {
        var table = new Table().Title($"steady state, {Markup.Escape(method)}")
            .AddColumns("series", "points", "t0", "iteration", "g", "N_eff", "steady mean", "sd", "MSER t0", "method");
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        foreach (var x in rows)
            table.AddRow(Markup.Escape(x.Series), $"{x.Points}", $"{x.T0}", x.Iteration?.ToString() ?? "-", $"{x.G:0.###}", $"{x.NEff:0.#}",
                Short(x.Mean), Short(x.Sd), $"{x.MserT0}", Markup.Escape(x.Method));
        return table;
    }

    private static string Short(double x) => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Json(List<Row> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var x in rows)
            {
                w.WriteStartObject(x.Series);
                w.WriteNumber("t0", x.T0);
                w.WriteNumber("g", x.G);
                w.WriteNumber("neff", x.NEff);
                w.WriteNumber("points", x.Points);
                if (x.Iteration is { } it) w.WriteNumber("iteration", it); else w.WriteNull("iteration");
                w.WriteNumber("mean", x.Mean);
                w.WriteNumber("sd", x.Sd);
                w.WriteNumber("mser_t0", x.MserT0);
                w.WriteString("method", x.Method);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteCsv(string path, List<Row> rows)
    {
        using var file = AtomicFile.Create(path, "--out");
        file.Text.WriteLine(CsvHeader);
        foreach (var x in rows)
            file.Text.WriteLine(string.Join(',', Csv.Field(x.Series), Csv.Num(x.Points), Csv.Num(x.T0),
                x.Iteration is { } it ? Csv.Num(it) : "", Csv.Num(x.G), Csv.Num(x.NEff), Csv.Num(x.Mean), Csv.Num(x.Sd), Csv.Num(x.MserT0), Csv.Field(x.Method)));
        file.CommitOrExplain("--out");
    }
}
