using System.Text.Json.Serialization;
using PepLab.Core;
using PepLab.Store;

namespace PepLab.Analyse;

/// <summary>
/// One analysed series: Chodera's t0 (a trajectory frame, or a point of a CSV series), g, N_eff, the steady mean and sd, MSER's t0
/// and the detector used; <paramref name="Keys"/>: the run's join keys when the series is a trajectory's (null for a CSV series).
/// </summary>
/// <remarks>In JSON its keys are the CSV's columns (<see cref="SteadyStateTable.CsvHeader"/>), the join keys included.</remarks>
public sealed record SteadyStateRow(string Series, int Points, int T0, long? Iteration, double G, [property: JsonPropertyName("neff")] double NEff,
    double Mean, double Sd, int MserT0, string Method, [property: JsonIgnore] RunKeys? Keys = null)
{
    public string? File => Keys?.File;
    public double? Density => Keys?.Density;
    public double? Tumble => Keys?.Tumble;
    public int? Replica => Keys?.Replica;
    public ulong? Seed => Keys?.Seed;
}

/// <summary>
/// The steady state of several series, one <see cref="SteadyStateRow"/> each (what <c>pep equilibrate</c>
/// reports), as CSV (<see cref="CsvHeader"/>) or JSON (<see cref="ToJson"/>).
/// </summary>
public sealed class SteadyStateTable
{
    /// <summary>Header of the CSV.</summary>
    public static string CsvHeader { get; } = "series,points,t0,iteration,g,neff,mean,sd,mser_t0,method," + RunKeys.Header;

    public IReadOnlyList<SteadyStateRow> Rows { get; }

    private SteadyStateTable(IReadOnlyList<SteadyStateRow> rows) => Rows = rows;

    /// <summary>
    /// Analyses each series with <paramref name="method"/>. <c>Iterations</c> (or null) gives the iteration
    /// reported at t0; <c>Frames</c> (or null) the trajectory frame of each point, so t0 is a frame of the file.
    /// <paramref name="keys"/> (or null), by position: each series' run keys, null for a series of no run.
    /// </summary>
    public static SteadyStateTable Compute(IEnumerable<(string Name, double[] Values, long[]? Iterations, int[]? Frames)> series,
        SteadyStateMethod method = SteadyStateMethod.Auto, IReadOnlyList<RunKeys?>? keys = null)
    {
        var rows = new List<SteadyStateRow>();
        var steady = new SteadyState(method);
        foreach (var (name, values, iterations, frames) in series)
        {
            var key = keys is not null && rows.Count < keys.Count ? keys[rows.Count] : null;
            steady.Compute(values, frames, name);
            rows.Add(new SteadyStateRow(name, steady.Points, steady.T0Frame, iterations?[steady.T0], steady.G, steady.NEff, steady.Mean, steady.Sd,
                steady.MserT0Frame, MethodName(steady.MethodUsed), key));
        }
        return new SteadyStateTable(rows);
    }

    /// <summary>
    /// The method asked for by the three switches: <paramref name="increasingLags"/> (exact, pymbar's lag
    /// schedule), <paramref name="exact"/>, <paramref name="fast"/>, or none of them (<see cref="SteadyStateMethod.Auto"/>).
    /// Exact with fast, or fast with increasing lags, is a <see cref="PepLabInputException"/>.
    /// </summary>
    public static SteadyStateMethod Method(bool exact, bool fast, bool increasingLags)
    {
        if (exact && fast) throw new PepLabInputException("fast", "contradicts --exact: give one of them");
        if (fast && increasingLags) throw new PepLabInputException("increasingLags", "applies to the exact method only, not with --fast");
        return increasingLags ? SteadyStateMethod.ExactIncreasingLags
            : exact ? SteadyStateMethod.Exact
            : fast ? SteadyStateMethod.Fast
            : SteadyStateMethod.Auto;
    }

    /// <summary>A method's name as the table shows it: exact, exact increasing lags, fast, auto.</summary>
    public static string MethodName(SteadyStateMethod method) => method switch
    {
        SteadyStateMethod.Exact => "exact",
        SteadyStateMethod.ExactIncreasingLags => "exact, increasing lags",
        SteadyStateMethod.Fast => "fast",
        _ => "auto",
    };

    /// <summary>Writes the rows as CSV through <see cref="TextOutput"/> (a file, or standard output for "-").</summary>
    public void WriteCsv(string path) => TextOutput.WriteText(path, w =>
    {
        w.WriteLine(CsvHeader);
        foreach (var x in Rows)
            w.WriteLine(string.Join(',', Csv.Field(x.Series), Csv.Num(x.Points), Csv.Num(x.T0),
                x.Iteration is { } it ? Csv.Num(it) : "", Csv.Num(x.G), Csv.Num(x.NEff), Csv.Num(x.Mean), Csv.Num(x.Sd), Csv.Num(x.MserT0), Csv.Field(x.Method),
                x.Keys?.CsvFields() ?? RunKeys.EmptyCsvFields));
    }, "out");

    /// <summary>
    /// The rows as the <c>--json</c> document of <c>pep equilibrate</c>: <c>{"kind": "equilibrate", ..., "rows": [{"series": ...,
    /// "t0": ..., ...}]}</c>, a row's keys the CSV's columns, NaN as null.
    /// </summary>
    public string ToJson() => PepLabJson.Text(PepLabJson.Document("equilibrate", this));
}
