using PepLab.Core;
using PureHDF;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>
/// Writes one file of the original layout (<see cref="LegacyFormat"/>) frame by frame: a
/// <c>conf_{iteration}</c> int32 (nx, ny) dataset per frame and, when rolled, the 13 uint8
/// <c>conf_{iteration}_{roll}</c> copies shifted by (roll, roll). All datasets are declared up
/// front (PureHDF cannot add to a file) and each frame is written as it comes, so memory does not
/// grow with the number of frames. The file goes through <see cref="AtomicFile"/> (written under its
/// temporary name, renamed by <see cref="Complete"/>); disposing an incomplete writer deletes it.
/// </summary>
public sealed class LegacyWriter : IDisposable
{
    private readonly AtomicFile _file;
    private readonly H5NativeWriter _writer;
    private readonly H5Dataset<int[]>[] _frames;
    private readonly H5Dataset<byte[]>[][] _rolls;
    private readonly int[] _values;
    private readonly byte[] _rolled;
    private readonly int _nx, _ny;
    private int _next;
    private bool _done;

    private LegacyWriter(AtomicFile output, IReadOnlyList<long> iterations, int nx, int ny, bool rolled)
    {
        _file = output;
        _nx = nx;
        _ny = ny;
        _values = new int[nx * ny];
        _rolled = new byte[nx * ny];
        ulong[] dims = [(ulong)nx, (ulong)ny];
        var file = new H5File();
        _frames = new H5Dataset<int[]>[iterations.Count];
        _rolls = new H5Dataset<byte[]>[rolled ? iterations.Count : 0][];
        for (int k = 0; k < iterations.Count; k++)
        {
            _frames[k] = new H5Dataset<int[]>(fileDims: dims);
            file[LegacyFormat.FrameName(iterations[k])] = _frames[k];
            if (!rolled) continue;
            _rolls[k] = new H5Dataset<byte[]>[LegacyFormat.Rolls.Count];
            for (int r = 0; r < LegacyFormat.Rolls.Count; r++)
            {
                _rolls[k][r] = new H5Dataset<byte[]>(fileDims: dims);
                file[LegacyFormat.RollName(iterations[k], LegacyFormat.Rolls[r])] = _rolls[k][r];
            }
        }
        // PureHDF leaves a stream it was given open; the AtomicFile owns (and closes) it.
        _writer = file.BeginWrite(output.Stream);
    }

    /// <summary>Final path of the file.</summary>
    public string Path => _file.Path;

    /// <summary>Temporary path written until <see cref="Complete"/>.</summary>
    public string PartialPath => _file.TemporaryPath;

    /// <summary>Number of frames the file will hold.</summary>
    public int Count => _frames.Length;

    /// <summary>
    /// Starts a file at <paramref name="path"/> holding one frame per entry of
    /// <paramref name="iterations"/> (distinct, non-negative). Fails with
    /// <see cref="PepLabInputException"/> when the file exists and <paramref name="overwrite"/> is
    /// false, or when the folder cannot be written.
    /// </summary>
    public static LegacyWriter Create(string path, IReadOnlyList<long> iterations, int nx, int ny, bool rolled, bool overwrite = false)
    {
        path = System.IO.Path.GetFullPath(path);
        _ = new Lattice(nx, ny);
        if (iterations.Count == 0) throw new ArgumentException("a file needs at least one frame", nameof(iterations));
        if (iterations.Any(i => i < 0) || iterations.Distinct().Count() != iterations.Count)
            throw new ArgumentException("iterations must be distinct and non-negative", nameof(iterations));
        if (Directory.Exists(path)) throw new PepLabInputException("out", $"'{path}' is a folder, not a file");
        if (File.Exists(path) && !overwrite)
            throw new PepLabInputException("out", $"'{path}' exists (use --overwrite to replace it)");
        var output = AtomicFile.Create(path, "out");
        try
        {
            return new LegacyWriter(output, iterations, nx, ny, rolled);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Dispose();
            throw new PepLabInputException("out", $"cannot write '{path}': {e.Message}");
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Writes frame <paramref name="index"/> (uint8 values 0..4, nx * ny); frames come in order 0, 1, 2, ...</summary>
    public void Write(int index, ReadOnlySpan<byte> frame)
    {
        if (_done) throw new InvalidOperationException("the file is already complete");
        if (index != _next) throw new InvalidOperationException($"frame {index} written out of order (expected {_next})");
        if (index >= _frames.Length) throw new InvalidOperationException($"the file holds {_frames.Length} frames");
        if (frame.Length != _values.Length) throw new ArgumentException($"frame has {frame.Length} sites, expected {_values.Length}");
        for (int i = 0; i < frame.Length; i++) _values[i] = frame[i];
        _writer.Write(_frames[index], _values);
        if (_rolls.Length > 0)
        {
            for (int r = 0; r < LegacyFormat.Rolls.Count; r++)
            {
                LegacyFormat.Roll(frame, _nx, _ny, LegacyFormat.Rolls[r], _rolled);
                _writer.Write(_rolls[index][r], _rolled);
            }
        }
        _next++;
    }

    /// <summary>Closes the file and gives it its final name. Every frame must have been written.</summary>
    public void Complete()
    {
        if (_done) return;
        if (_next != _frames.Length)
            throw new InvalidOperationException($"only {_next} of {_frames.Length} frames were written");
        _writer.Dispose();
        _done = true;
        _file.CommitOrExplain("out");
    }

    /// <summary>Closes the writer; an incomplete file is deleted.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try { _writer.Dispose(); } catch (Exception) { /* the temporary file is deleted below */ }
        _file.Dispose();
    }
}
