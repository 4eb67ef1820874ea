namespace PepLab.Learn;

/// <summary>
/// Time left in a training: the current epoch's and the whole run's, from what this process has
/// seen (a resumed run counts only the epochs it ran itself). The caller measures time and passes
/// it in, so the arithmetic is exact and testable.
/// <list type="bullet">
/// <item>Epoch ETA: the epoch's training frames left at the epoch's rate so far (frames done /
/// seconds since the epoch began). Validation is not counted in the epoch, so this is a lower bound.</item>
/// <item>Run ETA: the epoch ETA plus, for each epoch after this one, the mean wall time of the
/// epochs completed so far (validation included); before any epoch has completed, the current
/// epoch's projected length (elapsed + epoch ETA) stands in for the mean. Early stopping may end
/// the run sooner.</item>
/// </list>
/// Both are NaN while unknown (no frame done yet).
/// </summary>
public sealed class TrainingEta
{
    private readonly int _epochs;
    private int _epoch;
    private long _frames;
    private int _completed;
    private double _completedSeconds;

    /// <param name="epochs">Epochs of the whole run (the last epoch's number).</param>
    public TrainingEta(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        _epochs = epochs;
    }

    /// <summary>Epoch <paramref name="epoch"/> (1-based) begins with <paramref name="frames"/> training frames.</summary>
    public void EpochStarted(int epoch, long frames)
    {
        _epoch = epoch;
        _frames = frames;
    }

    /// <summary>The current epoch ended after <paramref name="seconds"/> of wall time, validation included.</summary>
    public void EpochDone(double seconds)
    {
        _completed++;
        _completedSeconds += seconds;
    }

    /// <summary>Mean wall seconds of the epochs completed so far; NaN before the first.</summary>
    public double MeanEpochSeconds => _completed > 0 ? _completedSeconds / _completed : double.NaN;

    /// <summary>
    /// (epoch ETA, run ETA) in seconds, when <paramref name="done"/> of the epoch's frames took
    /// <paramref name="elapsed"/> seconds; NaN while unknown.
    /// </summary>
    public (double Epoch, double Run) Estimate(long done, double elapsed)
    {
        double epoch = done >= _frames ? 0 : done > 0 && elapsed > 0 ? (_frames - done) * (elapsed / done) : double.NaN;
        double perEpoch = _completed > 0 ? MeanEpochSeconds : elapsed + epoch;
        int after = Math.Max(0, _epochs - _epoch);
        double run = epoch + (after == 0 ? 0 : after * perEpoch);
        return (epoch, run);
    }
}
