using System.CommandLine;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep equilibrate</c>: where each run (or any CSV time series) reaches its steady state.</summary>
internal static class EquilibrateCommand
{
    public static Command Build()
    {
        var path = ClustersCommand.PathArgument(required: false);
        var csvFile = PathOption("--csv", "Analyse a column of this CSV file instead of trajectories (any time series with a header line).");
        var column = PathOption("--column", "With --csv: the column holding the series.");
        var by = PathOption("--by", "With --csv: split the column into one series per value of this column (default: 'run' when the file has it, as pep clusters writes).");
        var stat = ClustersCommand.StatOption("whose steady state is sought (trajectories)");
        var frames = FramesOption();
        var exact = Flag("--exact", $"Always use the exact method (pymbar's answer), also above {SteadyState.ExactLimit} points where every command uses the fast variant.");
        var fast = Flag("--fast", "Always use the fast variant (FFT autocorrelation, coarse-to-fine search over t0); may differ from pymbar's answer on near-ties or several N_eff peaks.");
        var increasing = Flag("--increasing-lags", "Sum the autocorrelation at lags 1, 2, 4, 7, 11, ... like pymbar's detectEquilibration default (fast=True) instead of at every lag.");
        var json = Output.JsonOption();
        var output = PathOption("--out", "Also write the results as CSV (- for stdout, instead of the table): " + SteadyStateTable.CsvHeader + ".", "-o");
        var overwrite = OverwriteOption("--out");
        var jobs = JobsOption("Files analysed");
        var quiet = QuietOption();
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
        foreach (var o in new Option[] { csvFile, column, by, stat, frames, exact, fast, increasing, json, output, overwrite, jobs, quiet }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("equilibrate", () =>
        {
            string? pathValue = r.GetValue(path), csvValue = r.GetValue(csvFile);
            if (pathValue is not null && csvValue is not null) throw new PepLabInputException("--csv", "give either PATH or --csv FILE, not both");
            if (pathValue is null && csvValue is null) throw new PepLabInputException("PATH", "give a trajectory file or folder, or --csv FILE --column NAME");
            var method = SteadyStateTable.Method(r.GetValue(exact), r.GetValue(fast), r.GetValue(increasing));
            int j = Jobs(r, jobs);
            if (r.GetValue(output) is { } target)
            {
                if (r.GetValue(json) && TextOutput.IsStandardOutput(target)) throw new PepLabInputException("--json", "needs stdout for itself: write the CSV to a file, not -");
                TextOutput.CheckTarget(target, r.GetValue(overwrite), "--out");
            }

            var inputs = new List<(string Name, double[] Values, long[]? Iterations, int[]? Frames)>();
            var keys = new List<RunKeys?>();
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
                var range = Frames(r, frames);
                var runs = Progress.Run(r.GetValue(quiet) || r.GetValue(json), "equilibrate", RunAnalysis.TotalFrames(files, range), "frames", report =>
                    RunAnalysis.AnalyseAll(files, j, range, keepSizes: false, n => report(n), Cancellation));
                foreach (var run in runs) inputs.Add((run.Name, run.Series(statistic), run.Iterations, run.FrameIndices));
                keys.AddRange(runs.Select(run => (RunKeys?)RunKeys.Of(run.Path, run.Info)));
            }

            var table = SteadyStateTable.Compute(inputs, method, keys);
            if (r.GetValue(output) is { } outPath) table.WriteCsv(outPath);
            if (r.GetValue(json)) Console.WriteLine(table.ToJson());
            else if (!TextOutput.IsStandardOutput(r.GetValue(output))) Show(table.Rows, method == SteadyStateMethod.Auto ? $"exact up to {SteadyState.ExactLimit} points, fast above" : SteadyStateTable.MethodName(method));
            return Ok;
        }));
        return cmd;
    }

    private static bool HasColumn(string csvPath, string name) => Csv.Header(csvPath).Contains(name);

    private static void Show(IReadOnlyList<SteadyStateRow> rows, string method)
    {
        var table = new TextTable("series", "points", "t0", "iteration", "g", "N_eff", "steady mean", "sd", "MSER t0", "method")
            { Title = $"steady state, {method}" }.RightAlignFrom(1);
        foreach (var x in rows)
            table.Row(x.Series, $"{x.Points}", $"{x.T0}", x.Iteration?.ToString() ?? "-", $"{x.G:0.###}", $"{x.NEff:0.#}",
                Short(x.Mean), Short(x.Sd), $"{x.MserT0}", x.Method);
        table.Show();
    }

    private static string Short(double x) => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
