using System.Text.Json;
using System.Text.Json.Nodes;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>
/// How far the training of a model folder is (what <c>pep status</c> shows for a model folder):
/// finished (model.json and no checkpoint), running (a live process holds its lock), interrupted
/// (a checkpoint or history nobody works on), or missing (nothing yet); the epochs done of those
/// planned, and the time left at the seconds per epoch seen so far.
/// </summary>
public sealed record TrainingStatus
{
    public const string Finished = "finished", Running = "running", Interrupted = "interrupted", Missing = "missing";

    public required string Folder { get; init; }
    /// <summary><see cref="Finished"/>, <see cref="Running"/>, <see cref="Interrupted"/> or <see cref="Missing"/>.</summary>
    public required string State { get; init; }
    /// <summary>Epochs completed (of the checkpoint while one exists, else of history.csv).</summary>
    public required int EpochsDone { get; init; }
    /// <summary>Epochs asked for, when known (the checkpoint's or model.json's settings, or the caller's plan); early stopping may end sooner.</summary>
    public required int? EpochsPlanned { get; init; }
    /// <summary>Mean wall seconds of the completed epochs (NaN before the first).</summary>
    public required double SecondsPerEpoch { get; init; }
    /// <summary>Seconds left at <see cref="SecondsPerEpoch"/>: 0 when finished, NaN when unknown.</summary>
    public required double EtaSeconds { get; init; }

    /// <summary>True when <paramref name="folder"/> looks like a model folder (model.json, a checkpoint, history.csv or a training lock).</summary>
    public static bool IsModelFolder(string folder) =>
        new[] { ModelFile.JsonName, TrainingCheckpoint.FileName, LearnFiles.History, TrainingJob.LockFile }.Any(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>
    /// The status of the training writing <paramref name="folder"/> (which may not exist yet: missing).
    /// A damaged checkpoint, history.csv or model.json is refused naming it.
    /// </summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="plannedEpochs">Epochs planned when the folder does not say (before the first checkpoint).</param>
    public static TrainingStatus Of(string folder, int? plannedEpochs = null)
    {
        string full = Path.GetFullPath(folder);
        string model = Path.Combine(full, ModelFile.JsonName), checkpoint = Path.Combine(full, TrainingCheckpoint.FileName);
        string history = Path.Combine(full, LearnFiles.History);
        bool running = FolderLock.IsHeld(Path.Combine(full, TrainingJob.LockFile));
        var epochs = ReadHistory(history);
        int done = epochs.Count;
        int? planned = plannedEpochs;
        bool finished = false;
        if (File.Exists(checkpoint))
        {
            var saved = TrainingCheckpoint.Read(checkpoint);
            done = saved.Epoch;
            if (saved.History.Count > 0) epochs = saved.History;
            if (saved.Settings.TryGetValue("epochs", out var e) && int.TryParse(e, System.Globalization.CultureInfo.InvariantCulture, out int n)) planned = n;
        }
        else if (File.Exists(model))
        {
            finished = true;
            if (ReadModel(model)?.Training is { } training) (done, planned) = (training.EpochsRun, training.Epochs);
        }
        string state = running ? Running : finished ? Finished : done > 0 ? Interrupted : Missing;
        double perEpoch = epochs.Count > 0 && epochs.All(h => double.IsFinite(h.Seconds)) ? epochs.Average(h => h.Seconds) : double.NaN;
        double eta = finished ? 0 : planned is { } p ? Math.Max(0, p - done) * perEpoch : double.NaN;
        return new TrainingStatus
        {
            Folder = full, State = state, EpochsDone = done, EpochsPlanned = planned, SecondsPerEpoch = perEpoch, EtaSeconds = eta,
        };
    }

    private static IReadOnlyList<EpochRecord> ReadHistory(string path) =>
        File.Exists(path) ? File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => EpochRecord.Parse(l, path)).ToList() : [];

    private static ModelDocument? ReadModel(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelDocument>(File.ReadAllText(path), ModelFile.Json);
        }
        catch (JsonException e)
        {
            throw new BadFileException(path, $"is not a PepLab model description ({e.Message})");
        }
    }

    /// <summary>"12 of 40 epochs" (or "12 epochs" when the plan is unknown).</summary>
    public string Epochs => EpochsPlanned is { } p ? $"{EpochsDone} of {p} epoch(s)" : $"{EpochsDone} epoch(s)";

    /// <summary>One line for people: state, epochs and time left.</summary>
    public string Describe() => State switch
    {
        Finished => $"model {Folder}: finished ({EpochsDone} epoch(s))",
        Running => $"model {Folder}: running, {Epochs} done; ETA {Durations.Describe(EtaSeconds)}",
        Interrupted => $"model {Folder}: interrupted after {Epochs}; running the same command again resumes it",
        _ => $"model {Folder}: not started",
    };

    /// <summary>The status as a JSON object (snake_case; NaN and infinities as null).</summary>
    public JsonObject ToJsonObject() => new()
    {
        ["kind"] = "model",
        ["folder"] = Folder,
        ["state"] = State,
        ["epochs_done"] = EpochsDone,
        ["epochs_planned"] = EpochsPlanned,
        ["seconds_per_epoch"] = PepLabJson.Number(SecondsPerEpoch),
        ["eta_seconds"] = PepLabJson.Number(EtaSeconds),
    };

    /// <summary>The status as indented JSON (what <c>pep status --json</c> prints for a model folder).</summary>
    public string ToJson() => PepLabJson.Text(ToJsonObject());
}
