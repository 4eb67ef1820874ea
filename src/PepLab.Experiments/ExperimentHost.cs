using PepLab.Learn;

namespace PepLab.Experiments;

/// <summary>
/// What a running experiment needs from its caller: somewhere to say what it does, and progress
/// for long steps. The command line shows bars on stderr; tests pass <see cref="SilentHost"/>.
/// </summary>
public interface IExperimentHost
{
    /// <summary>One line about what is being done.</summary>
    void Info(string line);

    /// <summary>
    /// Runs a long step that reports the amount done (out of <paramref name="total"/>
    /// <paramref name="unit"/>) and returns what <paramref name="work"/> returns.
    /// </summary>
    T Step<T>(string title, double total, string unit, Func<Action<double>, T> work);

    /// <summary>Runs a training job, with per-epoch progress.</summary>
    T Train<T>(int epochs, Func<TrainingProgress, T> work);

    /// <summary>Stops the work (Ctrl+C).</summary>
    CancellationToken Cancellation { get; }
}

/// <summary>A host that shows nothing (tests, --quiet), optionally collecting the info lines.</summary>
public sealed class SilentHost(CancellationToken cancellation = default) : IExperimentHost
{
    public List<string> Lines { get; } = [];
    public void Info(string line) { lock (Lines) Lines.Add(line); }
    public T Step<T>(string title, double total, string unit, Func<Action<double>, T> work) => work(_ => { });
    public T Train<T>(int epochs, Func<TrainingProgress, T> work) => work(new TrainingProgress());
    public CancellationToken Cancellation { get; } = cancellation;
}
