using PepLab.Core;
using PepLab.Store;
using Parquet;
using Parquet.Schema;

namespace PepLab.Analyse;

/// <summary>
/// The per-cluster table of <c>pep clusters --per-cluster</c>: one row per cluster per frame, the
/// <see cref="ClusterProperties"/> of each cluster with the frame it is in and the run's join keys
/// (<see cref="Columns"/>). CSV when the file name ends in <c>.csv</c> (PepLab's convention,
/// <see cref="Csv"/>), Apache Parquet when it ends in <c>.parquet</c> (for pandas: <c>read_parquet</c>;
/// row groups of <see cref="RowGroupRows"/> rows, so memory does not grow with the table). The
/// file goes through <see cref="AtomicFile"/>: <see cref="Commit"/> gives it its name; disposing first
/// deletes it.
/// </summary>
public sealed class PerClusterTable : IDisposable
{
    /// <summary>Columns, in order. <c>cluster</c> is the cluster's label (1..K, the value its sites hold in the label image).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "run", "frame", "iteration", "cluster", "size", "centre_row", "centre_column", "radius_of_gyration",
        "polarisation", "polarisation_x", "polarisation_y", .. RunKeys.Columns,
    ];

    /// <summary>The CSV header line.</summary>
    public static string Header => string.Join(',', Columns);

    /// <summary>Rows per Parquet row group.</summary>
    public const int RowGroupRows = 1 << 16;

    private readonly AtomicFile _file;
    private readonly string _subject;
    private readonly ParquetRows? _parquet;
    private bool _done;

    private PerClusterTable(AtomicFile file, string subject, bool parquet)
    {
        _file = file;
        _subject = subject;
        if (parquet) _parquet = new ParquetRows(file.Stream);
        else file.Text.WriteLine(Header);
    }

    /// <summary>True when <paramref name="path"/> names a Parquet file (else a CSV file).</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Refuses, naming <paramref name="subject"/>, a file name that ends in neither <c>.csv</c> nor <c>.parquet</c>.
    /// </summary>
    public static void CheckName(string path, string subject = "perCluster")
    {
        if (!IsParquet(path) && !path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            throw new PepLabInputException(subject, $"'{path}' must end in .csv or .parquet (the format written)");
    }

    /// <summary>Starts the table at <paramref name="path"/> (format from its extension, <see cref="CheckName"/>).</summary>
    public static PerClusterTable Create(string path, string subject = "perCluster")
    {
        CheckName(path, subject);
        var file = AtomicFile.Create(path, subject);
        try
        {
            return new PerClusterTable(file, subject, IsParquet(path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Rows written.</summary>
    public long Rows { get; private set; }

    /// <summary>Adds one row per cluster of a frame: frame <paramref name="frame"/> (its index in the file) of run <paramref name="run"/>.</summary>
    public void Add(string run, RunKeys keys, int frame, long iteration, ReadOnlySpan<ClusterProperties> clusters)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Rows += clusters.Length;
        if (_parquet is not null)
        {
            foreach (var c in clusters) _parquet.Add(run, keys, frame, iteration, c);
            return;
        }
        var w = _file.Text;
        string prefix = Csv.Field(run) + "," + Csv.Num(frame) + "," + Csv.Num(iteration) + ",";
        string suffix = "," + keys.CsvFields() + "\n";
        foreach (var c in clusters)
        {
            w.Write(prefix);
            w.Write(string.Join(',', Csv.Num(c.Label), Csv.Num(c.Size), Csv.Num(c.CentreRow), Csv.Num(c.CentreColumn),
                Csv.Num(c.RadiusOfGyration), Csv.Num(c.Polarisation), Csv.Num(c.PolarisationX), Csv.Num(c.PolarisationY)));
            w.Write(suffix);
        }
    }

    /// <summary>Writes what is buffered, closes the file and gives it its final name.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _parquet?.Finish();
        _done = true;
        _file.CommitOrExplain(_subject);
    }

    /// <summary>Closes the file; an uncommitted one is deleted.</summary>
    public void Dispose()
    {
        if (!_done)
        {
            _done = true;
            try { _parquet?.Dispose(); } catch (Exception) { /* the temporary file is deleted below */ }
        }
        _file.Dispose();
    }

    /// <summary>The Parquet side: column buffers of one row group, flushed when full.</summary>
    private sealed class ParquetRows : IDisposable
    {
        private static readonly DataField<string> Run = new(Columns[0]);
        private static readonly DataField<int> Frame = new(Columns[1]);
        private static readonly DataField<long> Iteration = new(Columns[2]);
        private static readonly DataField<int> Cluster = new(Columns[3]);
        private static readonly DataField<int> Size = new(Columns[4]);
        private static readonly DataField<double>[] Doubles =
            [new(Columns[5]), new(Columns[6]), new(Columns[7]), new(Columns[8]), new(Columns[9]), new(Columns[10])];
        private static readonly DataField<string> File = new(Columns[11]);
        private static readonly DataField<double> Density = new(Columns[12]);
        private static readonly DataField<double> Tumble = new(Columns[13]);
        private static readonly DataField<int?> Replica = new(Columns[14]);
        private static readonly DataField<ulong?> Seed = new(Columns[15]);

        private static readonly ParquetSchema Schema = new(
        [
            Run, Frame, Iteration, Cluster, Size, .. Doubles, File, Density, Tumble, Replica, Seed,
        ]);

        private readonly ParquetWriter _writer;
        private readonly string[] _run = new string[RowGroupRows], _file = new string[RowGroupRows];
        private readonly int[] _frame = new int[RowGroupRows], _cluster = new int[RowGroupRows], _size = new int[RowGroupRows];
        private readonly long[] _iteration = new long[RowGroupRows];
        private readonly double[][] _doubles = Enumerable.Range(0, 6).Select(_ => new double[RowGroupRows]).ToArray();
        private readonly double[] _density = new double[RowGroupRows], _tumble = new double[RowGroupRows];
        private readonly int?[] _replica = new int?[RowGroupRows];
        private readonly ulong?[] _seed = new ulong?[RowGroupRows];
        private int _count;

        public ParquetRows(Stream stream) =>
            _writer = ParquetWriter.CreateAsync(Schema, stream).GetAwaiter().GetResult();

        public void Add(string run, RunKeys keys, int frame, long iteration, in ClusterProperties c)
        {
            int i = _count;
            _run[i] = run;
            _frame[i] = frame;
            _iteration[i] = iteration;
            _cluster[i] = c.Label;
            _size[i] = c.Size;
            _doubles[0][i] = c.CentreRow;
            _doubles[1][i] = c.CentreColumn;
            _doubles[2][i] = c.RadiusOfGyration;
            _doubles[3][i] = c.Polarisation;
            _doubles[4][i] = c.PolarisationX;
            _doubles[5][i] = c.PolarisationY;
            _file[i] = keys.File;
            _density[i] = keys.Density;
            _tumble[i] = keys.Tumble;
            _replica[i] = keys.Replica;
            _seed[i] = keys.Seed;
            if (++_count == RowGroupRows) Flush();
        }

        public void Finish()
        {
            Flush();
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        public void Dispose() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

        private void Flush()
        {
            if (_count == 0) return;
            int n = _count;
            using (var group = _writer.CreateRowGroup())
            {
                Wait(group.WriteAsync(Run, new ArraySegment<string>(_run, 0, n)));
                Wait(group.WriteAsync(Frame, new ReadOnlyMemory<int>(_frame, 0, n)));
                Wait(group.WriteAsync(Iteration, new ReadOnlyMemory<long>(_iteration, 0, n)));
                Wait(group.WriteAsync(Cluster, new ReadOnlyMemory<int>(_cluster, 0, n)));
                Wait(group.WriteAsync(Size, new ReadOnlyMemory<int>(_size, 0, n)));
                for (int k = 0; k < Doubles.Length; k++) Wait(group.WriteAsync(Doubles[k], new ReadOnlyMemory<double>(_doubles[k], 0, n)));
                Wait(group.WriteAsync(File, new ArraySegment<string>(_file, 0, n)));
                Wait(group.WriteAsync(Density, new ReadOnlyMemory<double>(_density, 0, n)));
                Wait(group.WriteAsync(Tumble, new ReadOnlyMemory<double>(_tumble, 0, n)));
                Wait(group.WriteAsync(Replica, new ReadOnlyMemory<int?>(_replica, 0, n)));
                Wait(group.WriteAsync(Seed, new ReadOnlyMemory<ulong?>(_seed, 0, n)));
                group.CompleteValidate();
            }
            _count = 0;
        }

        private static void Wait(Task task) => task.GetAwaiter().GetResult();

        private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
    }
}
