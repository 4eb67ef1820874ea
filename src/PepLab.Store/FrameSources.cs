using PepLab.Core;
using PureHDF;
using PureHDF.VOL.Native;

namespace PepLab.Store;

/// <summary>Opens any trajectory file, whatever its layout, as an <see cref="IFrameSource"/>.</summary>
public static class FrameSources
{
    /// <summary>
    /// Opens <paramref name="path"/> as a PepLab trajectory (it carries PepLab's <c>format</c>
    /// attribute) or else as a file of the original layout (its root holds <c>conf_*</c> datasets).
    /// Throws <see cref="BadFileException"/> (one line, naming the file) when it is missing, not
    /// HDF5, truncated, damaged, of neither layout, holds invalid metadata or iterations, or is a
    /// legacy file whose name does not parse. Frames are validated as they are read.
    /// </summary>
    public static IFrameSource Open(string path)
    {
        if (Directory.Exists(path)) throw new BadFileException(path, "is a folder, not a trajectory file");
        if (!File.Exists(path)) throw new BadFileException(path, "no such file");
        Hdf5Files.CheckWhole(path);
        NativeFile file;
        try
        {
            ZlibDeflateFilter.EnsureRegistered();
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadFileException(path, $"cannot be opened as HDF5 ({BadFileException.Describe(e)})", e);
        }
        try
        {
            if (TrajectoryReader.IsPepLab(file)) return TrajectoryReader.Open(path, file);
            // The root is listed once: detection and the legacy reader share the listing.
            if (LegacyReader.OpenIfLegacy(path, file) is { } legacy) return legacy;
            throw new BadFileException(path,
                $"neither a PepLab trajectory nor an original layout file (no '{TrajectoryFormat.Attr.Format} = {TrajectoryFormat.FormatName}' attribute, no conf_* datasets)");
        }
        catch (BadFileException)
        {
            file.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            file.Dispose();
            throw new BadFileException(path, $"cannot be read as a trajectory ({BadFileException.Describe(e)})", e);
        }
    }
}

/// <summary>The one check of frame values, shared by the readers of both layouts.</summary>
internal static class FrameValues
{
    /// <summary>
    /// Throws <see cref="BadFileException"/> naming the file, the frame, the site and the value when
    /// any byte of <paramref name="frames"/> (consecutive frames of <paramref name="frameSize"/> sites,
    /// the first being frame <paramref name="firstFrame"/>) is not an orientation code 0..4.
    /// One vectorised scan: cheap next to inflating the chunk.
    /// </summary>
    public static void Check(string path, int firstFrame, ReadOnlySpan<byte> frames, int frameSize, int ny, Func<int, string> nameFrame)
    {
        int bad = frames.IndexOfAnyInRange((byte)(Orientation.Left + 1), byte.MaxValue);
        if (bad < 0) return;
        throw OutOfRange(path, nameFrame(firstFrame + bad / frameSize), bad % frameSize, ny, frames[bad]);
    }

    /// <summary>The error for a frame value outside 0..4 at site index <paramref name="site"/> of a frame of <paramref name="ny"/> columns.</summary>
    public static BadFileException OutOfRange(string path, string frame, int site, int ny, long value) =>
        new(path, $"{frame} holds the value {value} at row {site / ny}, column {site % ny}; frames hold 0 (empty) or 1..4 (orientation + 1)");
}
