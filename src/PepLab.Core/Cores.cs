namespace PepLab.Core;

/// <summary>PepLab's rule for a count of workers (files or runs at once): 0 means every core, a negative count is refused.</summary>
public static class Cores
{
    /// <summary>
    /// <paramref name="count"/> itself, or the number of cores when it is 0; a negative count is a
    /// <see cref="PepLabInputException"/> naming <paramref name="parameter"/>.
    /// </summary>
    public static int Resolve(int count, string parameter)
    {
        if (count < 0) throw new PepLabInputException(parameter, $"must be 0 (all cores) or a positive count (got {count})");
        return count == 0 ? Environment.ProcessorCount : count;
    }
}
