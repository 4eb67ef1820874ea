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
    /// Throws <see cref="PepLabInputException"/> (one line, naming the file) when it is missing, not
    /// HDF5, truncated, of neither layout, or a legacy file whose name does not parse.
    /// </summary>
    public static IFrameSource Open(string path)
    {
        if (Directory.Exists(path)) throw new PepLabInputException(path, "is a folder, not a trajectory file");
        if (!File.Exists(path)) throw new PepLabInputException(path, "no such file");
        Hdf5Files.CheckWhole(path);
        NativeFile file;
        try
        {
            ZlibDeflateFilter.EnsureRegistered();
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new PepLabInputException(path, $"cannot be opened as HDF5 ({e.GetType().Name}: {e.Message})");
        }
        try
        {
            if (TrajectoryReader.IsPepLab(file)) return TrajectoryReader.Open(path, file);
            // List the root once: detection and the legacy reader share the child objects.
            var children = file.Children().ToList();
            if (LegacyReader.LooksLegacy(children)) return LegacyReader.Open(path, file, children);
            throw new PepLabInputException(path,
                $"neither a PepLab trajectory nor an original layout file (no '{TrajectoryFormat.Attr.Format} = {TrajectoryFormat.FormatName}' attribute, no conf_* datasets)");
        }
        catch (PepLabInputException)
        {
            file.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            file.Dispose();
            throw new PepLabInputException(path, $"cannot be read as a trajectory ({e.GetType().Name}: {e.Message})");
        }
    }
}
