using PepLab.Core;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// The layout of a cluster-label file (what <c>pep clusters --labels</c> writes), in one place: the
/// label image of every analysed frame, like freud's <c>cluster_idx</c>. One group per run,
/// <c>/runs/NNNN</c> (NNNN its position among the analysed runs, from 0000), holding
/// <c>labels</c> int32 (T, nx, ny), chunked along T and deflate compressed; <c>iterations</c> int64 (T);
/// <c>frames</c> int32 (T), each frame's index in the trajectory file. The group's attributes are
/// the run's join keys (<see cref="RunKeys"/>: <c>file</c>, <c>density</c>, <c>tumble</c>, and
/// <c>replica</c> and <c>seed</c> when known), <c>nx</c> and <c>ny</c>.
/// Label convention (root attribute <see cref="Attr.LabelConvention"/>): 0 is an empty site; a
/// particle's site holds its cluster's id, 1..K, clusters numbered in order of their first site in
/// row-major order (as <c>scipy.ndimage.label</c>); the ids are the <c>cluster</c> column of the
/// per-cluster table. Clusters are 4-neighbour connected and periodic in both directions.
/// </summary>
public static class ClusterLabelsFormat
{
    public const string FormatName = "peplab.cluster_labels";
    public const int Version = 1;
    public const string Runs = "runs";
    public const string Labels = "labels";
    public const string Iterations = "iterations";
    public const string Frames = "frames";

    /// <summary>The label convention, as stored in the file.</summary>
    public const string Convention =
        "0 = empty site; 1..K = cluster id (4-neighbour, periodic in both directions), numbered in order of each cluster's " +
        "first site in row-major order, as in the cluster column of the per-cluster table";

    public static class Attr
    {
        public const string Format = "format";
        public const string FormatVersion = "format_version";
        public const string LabelConvention = "label_convention";
        public const string FrameCodes = TrajectoryFormat.Attr.FrameCodes;
        public const string Nx = "nx";
        public const string Ny = "ny";
    }

    /// <summary>Name of run <paramref name="index"/>'s group below <see cref="Runs"/>: its position, four digits or more.</summary>
    public static string GroupName(int index) => index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One run of a cluster-label file: its keys, lattice and number of frames.</summary>
public sealed record ClusterLabelsRun(RunKeys Keys, int Nx, int Ny, int Frames);

/// <summary>
/// Writes a cluster-label file (<see cref="ClusterLabelsFormat"/>) frame by frame, runs in order, with
/// memory that does not grow with the number of frames (one chunk in flight per run). The file goes
/// through <see cref="AtomicFile"/>: renamed only by <see cref="Complete"/>, deleted when disposed first.
/// </summary>
public sealed class ClusterLabelsWriter : IDisposable
{
    private readonly H5Output _output;
    private readonly IReadOnlyList<ClusterLabelsRun> _runs;
    private readonly H5Dataset<int[]>[] _labels;
    private readonly H5Dataset<long[]>[] _iterationsDatasets;
    private readonly H5Dataset<int[]>[] _framesDatasets;
    private long[] _iterations = [];
    private int[] _frames = [];
    private int[] _buffer = [];
    private int _run, _next;

    private ClusterLabelsWriter(AtomicFile output, IReadOnlyList<ClusterLabelsRun> runs, string subject)
    {
        _runs = runs;
        _labels = new H5Dataset<int[]>[runs.Count];
        _iterationsDatasets = new H5Dataset<long[]>[runs.Count];
        _framesDatasets = new H5Dataset<int[]>[runs.Count];
        var group = new H5Group();
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            int sites = r.Nx * r.Ny;
            // int32 labels: a quarter of a trajectory chunk's frames keeps chunks near 256 KiB.
            int perChunk = Math.Max(1, TrajectoryFormat.FramesPerChunk(sites, r.Frames) / 4);
            _labels[i] = new H5Dataset<int[]>(
                fileDims: [(ulong)r.Frames, (ulong)r.Nx, (ulong)r.Ny],
                chunks: [(uint)perChunk, (uint)r.Nx, (uint)r.Ny],
                datasetCreation: new H5DatasetCreation(
                    ChunkCache: new FlushingChunkCache(),
                    Filters: [ZlibDeflateFilter.At(TrajectoryFormat.DefaultCompressionLevel)]));
            _iterationsDatasets[i] = new H5Dataset<long[]>(fileDims: [(ulong)r.Frames]);
            _framesDatasets[i] = new H5Dataset<int[]>(fileDims: [(ulong)r.Frames]);
            group[ClusterLabelsFormat.GroupName(i)] = new H5Group
            {
                [ClusterLabelsFormat.Labels] = _labels[i],
                [ClusterLabelsFormat.Iterations] = _iterationsDatasets[i],
                [ClusterLabelsFormat.Frames] = _framesDatasets[i],
                Attributes = RunAttributes(r),
            };
        }
        var file = new H5File
        {
            [ClusterLabelsFormat.Runs] = group,
            Attributes = new Dictionary<string, object>
            {
                [ClusterLabelsFormat.Attr.Format] = ClusterLabelsFormat.FormatName,
                [ClusterLabelsFormat.Attr.FormatVersion] = ClusterLabelsFormat.Version,
                [ClusterLabelsFormat.Attr.LabelConvention] = ClusterLabelsFormat.Convention,
                [ClusterLabelsFormat.Attr.FrameCodes] = Orientation.CodeTable,
            },
        };
        _output = new H5Output(output, file, subject);
        StartRun();
    }

    /// <summary>
    /// Starts the file at <paramref name="path"/> for <paramref name="runs"/>. Refuses a folder, an existing
    /// file unless <paramref name="overwrite"/>, and an unwritable folder with <see cref="PepLabInputException"/>
    /// naming <paramref name="subject"/>.
    /// </summary>
    public static ClusterLabelsWriter Create(string path, IReadOnlyList<ClusterLabelsRun> runs, bool overwrite = false, string subject = "labels")
    {
        ArgumentNullException.ThrowIfNull(runs);
        path = System.IO.Path.GetFullPath(path);
        return H5Output.Create(path, overwrite, output => new ClusterLabelsWriter(output, runs, subject), subject);
    }

    /// <summary>Final path of the file.</summary>
    public string Path => _output.Path;

    /// <summary>
    /// Writes the labels of the next frame (row-major, nx * ny values) of the current run: runs in the
    /// order given, frames in order; <paramref name="frame"/> is its index in the trajectory file.
    /// </summary>
    public void Write(int frame, long iteration, ReadOnlySpan<int> labels)
    {
        if (_output.Done) throw new InvalidOperationException("the label file is already complete");
        if (_run >= _runs.Count) throw new InvalidOperationException($"all {_runs.Count} runs are written");
        var r = _runs[_run];
        if (labels.Length != r.Nx * r.Ny) throw new ArgumentException($"labels have {labels.Length} sites, expected {r.Nx * r.Ny}", nameof(labels));
        labels.CopyTo(_buffer);
        _output.Writer.Write(_labels[_run], _buffer, fileSelection: new HyperslabSelection(
            rank: 3, starts: [(ulong)_next, 0, 0], blocks: [1, (ulong)r.Nx, (ulong)r.Ny]));
        _iterations[_next] = iteration;
        _frames[_next] = frame;
        if (++_next < r.Frames) return;
        _output.Writer.Write(_iterationsDatasets[_run], _iterations);
        _output.Writer.Write(_framesDatasets[_run], _frames);
        _run++;
        StartRun();
    }

    /// <summary>Closes the file and gives it its final name. Every declared frame of every run must have been written.</summary>
    public void Complete()
    {
        if (_output.Done) return;
        if (_run != _runs.Count)
            throw new InvalidOperationException($"run {_run} has {_next} of {_runs[_run].Frames} frames written");
        _output.Commit();
    }

    /// <summary>Closes the writer; an incomplete file is deleted.</summary>
    public void Dispose() => _output.Dispose();

    private void StartRun()
    {
        // Runs without frames are complete as soon as they start.
        while (_run < _runs.Count && _runs[_run].Frames == 0)
        {
            _output.Writer.Write(_iterationsDatasets[_run], Array.Empty<long>());
            _output.Writer.Write(_framesDatasets[_run], Array.Empty<int>());
            _run++;
        }
        _next = 0;
        if (_run < _runs.Count)
        {
            _iterations = new long[_runs[_run].Frames];
            _frames = new int[_runs[_run].Frames];
            _buffer = new int[_runs[_run].Nx * _runs[_run].Ny];
        }
    }

    private static Dictionary<string, object> RunAttributes(ClusterLabelsRun r)
    {
        var a = new Dictionary<string, object>
        {
            [RunKeys.Columns[0]] = r.Keys.File,
            [RunKeys.Columns[1]] = r.Keys.Density,
            [RunKeys.Columns[2]] = r.Keys.Tumble,
            [ClusterLabelsFormat.Attr.Nx] = r.Nx,
            [ClusterLabelsFormat.Attr.Ny] = r.Ny,
        };
        if (r.Keys.Replica is { } replica) a[RunKeys.Columns[3]] = replica;
        if (r.Keys.Seed is { } seed) a[RunKeys.Columns[4]] = seed;
        return a;
    }
}
