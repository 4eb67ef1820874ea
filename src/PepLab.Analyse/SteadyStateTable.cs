using System.Text.Json;
using PepLab.Core;
using PepLab.Store;

namespace PepLab.Analyse;

/// <summary>
/// One analysed series: Chodera's t0 (a trajectory frame, or a point of a CSV series), g, N_eff, the steady mean and sd, MSER's t0
/// and the detector used; <paramref name="Keys"/>: the run's join keys when the series is a trajectory's (null for a CSV series).
/// </summary>
public sealed record SteadyStateRow(string Series, int Points, int T0, long? Iteration, double G, double NEff, double Mean, double Sd, int MserT0, string Method,
    RunKeys? Keys = null);

/// <summary>
/// The steady state of several series, one <see cref="SteadyStateRow"/> each (what <c>pep equilibrate</c>
/// reports), as CSV (<see cref="CsvHeader"/>) or JSON (<c>{"SERIES": {"t0": ..., ...}}</c>).
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

    /// <summary>Writes the rows as CSV through <see cref="AtomicFile"/>.</summary>
    public void WriteCsv(string path) => AtomicFile.WriteText(path, w =>
    {
        w.WriteLine(CsvHeader);
        foreach (var x in Rows)
            w.WriteLine(string.Join(',', Csv.Field(x.Series), Csv.Num(x.Points), Csv.Num(x.T0),
                x.Iteration is { } it ? Csv.Num(it) : "", Csv.Num(x.G), Csv.Num(x.NEff), Csv.Num(x.Mean), Csv.Num(x.Sd), Csv.Num(x.MserT0), Csv.Field(x.Method),
                x.Keys?.CsvFields() ?? RunKeys.EmptyCsvFields));
    }, "out");

    /// <summary>The rows as a JSON object keyed by series.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var x in Rows)
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
}
