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
    /// <summary>One analysed series: Chodera's t0, g, N_eff plus an independent MSER t0 and the steady mean.</summary>
    internal sealed record Row(string Series, int Points, int T0, long? Iteration, double G, double NEff, double Mean, double Sd, int MserT0);

    public static Command Build()
    {
        var path = ClustersCommand.PathArgument(required: false);
        var csvFile = PathOption("--csv", "Analyse a column of this CSV file instead of trajectories (any time series with a header line).");
        var column = PathOption("--column", "With --csv: the column holding the series.");
        var by = PathOption("--by", "With --csv: split the column into one series per value of this column (default: 'run' when the file has it, as pep clusters writes).");
        var stat = ClustersCommand.StatOption("whose steady state is sought (trajectories)");
        var frames = ClustersCommand.FramesOption();
        var fast = Flag("--fast", "Use the fast variant (FFT autocorrelation, coarse-to-fine search over t0) for long series; may differ from pymbar's answer on near-ties or several N_eff peaks.");
        var increasing = Flag("--increasing-lags", "Sum the autocorrelation at lags 1, 2, 4, 7, 11, ... like pymbar's detectEquilibration default (fast=True) instead of at every lag.");
        var json = Flag("--json", "Print the results as JSON for scripts: {\"SERIES\": {\"t0\": ..., \"g\": ..., \"neff\": ..., ...}, ...}.");
        var output = PathOption("--out", "Also write the results as CSV: series,points,t0,iteration,g,neff,mean,sd,mser_t0.", "-o");
        var jobs = ClustersCommand.JobsOption();
        var quiet = Flag("--quiet", "No progress output.", "-q");
        csvFile.HelpName = "FILE";
        column.HelpName = "NAME";
        by.HelpName = "NAME";
        output.HelpName = "FILE";

        var cmd = new Command("equilibrate",
            "Find where each run reaches its steady state: t0 maximises the effective number of uncorrelated samples " +
            "N_eff = (T - t0 + 1) / g (Chodera's method, identical to pymbar's timeseries.detectEquilibration with nskip=1). " +
            "Also reports MSER's t0 (White's marginal standard error rule) as an independent check, and the mean and standard " +
            "deviation of the steady part. PATH is a trajectory file or a folder of them; or use --csv FILE --column NAME " +
            "(when the CSV has an 'iteration' column, the iteration at t0 is reported too).");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { csvFile, column, by, stat, frames, fast, increasing, json, output, jobs, quiet }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("equilibrate", () =>
        {
            string? pathValue = r.GetValue(path), csvValue = r.GetValue(csvFile);
            if (pathValue is not null && csvValue is not null) throw new PepLabInputException("--csv", "give either PATH or --csv FILE, not both");
            if (pathValue is null && csvValue is null) throw new PepLabInputException("PATH", "give a trajectory file or folder, or --csv FILE --column NAME");
            bool useFast = r.GetValue(fast), lags = r.GetValue(increasing);
            if (useFast && lags) throw new PepLabInputException("--increasing-lags", "applies to the exact method only, not with --fast");

            var inputs = new List<(string Name, double[] Values, long[]? Iterations)>();
            if (csvValue is not null)
            {
                string col = r.GetValue(column) ?? throw new PepLabInputException("--column", "is required with --csv (the column holding the series)");
                string? group = r.GetValue(by) ?? (HasColumn(csvValue, "run") && col != "run" ? "run" : null);
                foreach (var (name, values, iterations) in Csv.ReadColumn(csvValue, col, group, "--column", "--by")) inputs.Add((name, values, iterations));
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
                        (_, run) => inputs.Add((run.Name, run.Series(statistic), run.Iterations)),
                        n => { lock (gate) { done += n; report(done); } }, Cancellation);
                    return 0;
                });
            }

            var rows = new List<Row>();
            foreach (var (name, values, iterations) in inputs)
            {
                Equilibration.Check(values, name);
                var eq = useFast ? Equilibration.DetectEquilibrationFast(values) : Equilibration.DetectEquilibration(values, increasingLagSteps: lags);
                var mser = Equilibration.Mser(values);
                var steady = values[eq.T0..];
                double mean = steady.Average();
                double sd = steady.Length > 1 ? Math.Sqrt(steady.Sum(v => (v - mean) * (v - mean)) / (steady.Length - 1)) : 0;
                rows.Add(new Row(name, values.Length, eq.T0, iterations?[eq.T0], eq.G, eq.NEff, mean, sd, mser.T0));
            }

            if (r.GetValue(output) is { } outPath) WriteCsv(outPath, rows);
            if (r.GetValue(json)) Console.WriteLine(Json(rows));
            else AnsiConsole.Write(Table(rows, useFast ? "fast (FFT, coarse-to-fine)" : lags ? "exact, increasing lags" : "exact (pymbar)"));
            return Ok;
        }));
        return cmd;
    }

    private static bool HasColumn(string csvPath, string name) => Csv.Header(csvPath).Contains(name);

    private static Table Table(List<Row> rows, string method)
    {
        var table = new Table().Title($"steady state, {Markup.Escape(method)}")
            .AddColumns("series", "points", "t0", "iteration", "g", "N_eff", "steady mean", "sd", "MSER t0");
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        foreach (var x in rows)
            table.AddRow(Markup.Escape(x.Series), $"{x.Points}", $"{x.T0}", x.Iteration?.ToString() ?? "-", $"{x.G:0.###}", $"{x.NEff:0.#}",
                Short(x.Mean), Short(x.Sd), $"{x.MserT0}");
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
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteCsv(string path, List<Row> rows)
    {
        using var file = AtomicFile.Create(path, "--out");
        file.Text.WriteLine("series,points,t0,iteration,g,neff,mean,sd,mser_t0");
        foreach (var x in rows)
            file.Text.WriteLine(string.Join(',', Csv.Field(x.Series), Csv.Num(x.Points), Csv.Num(x.T0),
                x.Iteration is { } it ? Csv.Num(it) : "", Csv.Num(x.G), Csv.Num(x.NEff), Csv.Num(x.Mean), Csv.Num(x.Sd), Csv.Num(x.MserT0)));
        file.CommitOrExplain("--out");
    }
}
