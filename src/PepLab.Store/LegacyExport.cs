using System.Text;
using PepLab.Core;

namespace PepLab.Store;

/// <summary>One trajectory to export and the original-layout file it becomes.</summary>
public sealed record LegacyExportItem(string Source, string Target, TrajectoryInfo Info);

/// <summary>
/// Exports trajectories (either layout) to the original sampler's layout, so that notebooks
/// written for it keep working: one <c>dataset_tumble_{P_t:.3f}_{density}.h5</c> per run and rows
/// appended to <c>sampler_records.csv</c>.
/// </summary>
public static class LegacyExport
{
    /// <summary>
    /// Reads the metadata of every source and names its target in <paramref name="folder"/>.
    /// Throws <see cref="PepLabInputException"/> before anything is written when a source cannot be
    /// read or holds no frames, two sources map to one file name (the original's names hold only P_t to 3 decimals
    /// and the density: replicas or close tumbles collide), or a target exists and
    /// <paramref name="overwrite"/> is false.
    /// </summary>
    public static IReadOnlyList<LegacyExportItem> Plan(IEnumerable<string> sources, string folder, bool overwrite)
    {
        folder = Path.GetFullPath(folder);
        if (File.Exists(folder)) throw new PepLabInputException("out", $"'{folder}' is a file; give a folder");
        var items = new List<LegacyExportItem>();
        var byTarget = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            TrajectoryInfo info;
            using (var reader = FrameSources.Open(source))
            {
                // Every frame is read (and so validated) before anything is written: a damaged
                // source is refused with nothing left behind.
                reader.Verify();
                info = reader.Info;
            }
            if (info.Frames == 0)
                throw new PepLabInputException(source, "holds no frames: the original layout has nothing to store for it (a file of no conf_* datasets is not readable as that layout)");
            string target = Path.Combine(folder, LegacyFormat.FileName(info.Tumble, info.DensityRequested));
            if (byTarget.TryGetValue(target, out var other))
                throw new PepLabInputException(source,
                    $"exports to the same file as {other} ({Path.GetFileName(target)}): the original layout keeps one run per P_t (3 decimals) and density");
            if (string.Equals(Path.GetFullPath(source), target, StringComparison.Ordinal))
                throw new PepLabInputException("out", $"exporting {source} would overwrite it; choose another folder");
            if (File.Exists(target) && !overwrite)
                throw new PepLabInputException("out", $"'{target}' exists (use --overwrite to replace it)");
            byTarget[target] = source;
            items.Add(new LegacyExportItem(source, target, info));
        }
        return items;
    }

    /// <summary>
    /// Writes one item's file (under a temporary name, renamed when complete).
    /// <paramref name="framesDone"/> is called with the number of frames written so far.
    /// </summary>
    /// <returns>Bytes of the file written.</returns>
    public static long Export(LegacyExportItem item, bool rolled, Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        using var source = FrameSources.Open(item.Source);
        using var writer = LegacyWriter.Create(item.Target, source.Iterations, source.Info.Nx, source.Info.Ny, rolled, overwrite: true);
        foreach (var (index, _, frame) in source.Frames())
        {
            cancellation.ThrowIfCancellationRequested();
            writer.Write(index, frame.Span);
            framesDone?.Invoke(index + 1);
        }
        writer.Complete();
        return new FileInfo(item.Target).Length;
    }

    /// <summary>The <c>n_iter</c> the original recorded for a run: snapshots * interval (null when the interval is unknown).</summary>
    public static long? RecordedIterations(TrajectoryInfo info) => info.Interval is { } interval ? (long)info.Frames * interval : null;

    /// <summary>
    /// Appends one row per run to <c>sampler_records.csv</c> in <paramref name="folder"/> as pandas'
    /// <c>to_csv(mode="a")</c> of one data frame would: index 0.. first, the header only when the
    /// file is new. The new file is written through <see cref="AtomicFile"/>.
    /// </summary>
    public static string AppendRecords(string folder, IReadOnlyList<TrajectoryInfo> runs)
    {
        string path = Path.Combine(Path.GetFullPath(folder), LegacyFormat.RecordsFile);
        if (runs.Count == 0) return path;
        var text = new StringBuilder();
        bool exists = File.Exists(path);
        if (exists)
        {
            string old = File.ReadAllText(path);
            text.Append(old);
            if (old.Length > 0 && !old.EndsWith('\n')) text.Append('\n');
        }
        if (!exists || text.Length == 0) text.Append(LegacyFormat.RecordsHeader).Append('\n');
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            text.Append(LegacyFormat.RecordsRow(i, r.Tumble, RecordedIterations(r), r.DensityRequested, r.Speed)).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString(), "out");
        return path;
    }
}
