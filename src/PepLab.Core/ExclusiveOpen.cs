namespace PepLab.Core;

/// <summary>
/// The one rule of PepLab's exclusive opens (<see cref="AtomicFile"/> temporaries, <see cref="FolderLock"/>
/// files): what a lock conflict looks like, and a short retry, because a conflict lasting a moment is
/// another process probing the file (<c>pep status</c>, <see cref="AtomicFile.RemoveAbandoned"/>),
/// while a real holder keeps its lock for as long as it works.
/// </summary>
internal static class ExclusiveOpen
{
    /// <summary>True when <paramref name="e"/>, from opening the existing <paramref name="path"/>, says another open holds its lock.</summary>
    public static bool IsConflict(IOException e, string path) =>
        File.Exists(path) && e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException);

    /// <summary>Runs <paramref name="open"/>, retrying a conflict (<paramref name="isConflict"/>) for about half a second before letting it through.</summary>
    public static T Retrying<T>(Func<T> open, Func<Exception, bool> isConflict)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return open();
            }
            catch (Exception e) when (attempt < 25 && isConflict(e))
            {
                Thread.Sleep(20);
            }
        }
    }
}
