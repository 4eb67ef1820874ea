using PepLab.Core;
using PureHDF;

namespace PepLab.Store;

/// <summary>Opens any trajectory file, whatever its layout, as an <see cref="IFrameSource"/>.</summary>
public static class FrameSources
{
    /// <summary>
    /// Opens <paramref name="path"/>. Throws <see cref="PepLabInputException"/> (one line, naming the
    /// file) when it is missing, not HDF5, truncated, or of no known layout.
    /// </summary>
    public static IFrameSource Open(string path)
    {
        if (!File.Exists(path)) throw new PepLabInputException(path, "no such file");
        Hdf5Files.CheckWhole(path);
        try
        {
            return TrajectoryReader.Open(path);
        }
        catch (PepLabInputException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new PepLabInputException(path, $"cannot be read as an HDF5 trajectory ({e.GetType().Name}: {e.Message})");
        }
    }
}
