using System.Text.Json;
using System.Text.Json.Nodes;
using PepLab.Core;
using PepLab.Learn;
using PepLab.Store;

namespace PepLab.Experiments;

/// <summary>One data set of an experiment: its status, or null while nothing of it is sampled.</summary>
/// <param name="Folder">The data set's folder.</param>
/// <param name="Stage">Its sampling stage (sample, sample-SIZE).</param>
/// <param name="Runs">Runs planned.</param>
/// <param name="Status">Its status once the folder is a data set.</param>
public sealed record ExperimentDataStatus(string Folder, string Stage, int Runs, DataSetStatus? Status)
{
    public double EtaSeconds => Status?.EtaSeconds ?? double.NaN;
}

/// <summary>One planned training of an experiment.</summary>
/// <param name="Label">The setting (or model) it trains.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Task">Its index in the train stage's job array.</param>
/// <param name="Status">The model folder's status (running also when its array task is RUNNING in squeue).</param>
/// <param name="Log">The SLURM log of its array task when a job ran it and it is not finished (null otherwise).</param>
public sealed record ExperimentTrainingStatus(string Label, ulong Seed, int Task, TrainingStatus Status, string? Log);

/// <summary>
/// How far an experiment folder is (what <c>pep status</c> shows for one): each data set's runs,
/// each training (finished, running, interrupted after N of M epochs, missing), the report, the
/// SLURM jobs recorded for it with their queue state, and an overall estimate of the time left.
/// </summary>
public sealed record ExperimentStatus
{
    public required string Folder { get; init; }
    public required string Name { get; init; }
    public required bool Tiny { get; init; }
    public required IReadOnlyList<ExperimentDataStatus> Data { get; init; }
    public required IReadOnlyList<ExperimentTrainingStatus> Trainings { get; init; }
    /// <summary>"written" (results.json exists), "running" (its job is RUNNING in squeue) or "missing".</summary>
    public required string Report { get; init; }
    public required SlurmQueueView Queue { get; init; }
    /// <summary>
    /// Seconds left to the report: the data sets' estimates plus the trainings' (a training not
    /// started is estimated at the mean seconds per epoch of the others, divided among those running);
    /// NaN while a part has no rate yet. The report's own time is not included.
    /// </summary>
    public required double EtaSeconds { get; init; }

    /// <summary>True when the report is written and all data and models are done.</summary>
    public bool IsDone => Report == "written" && Data.All(d => d.Status?.IsDone == true) && Trainings.All(t => t.Status.State == TrainingStatus.Finished);

    /// <summary>The status of the experiment in <paramref name="folder"/>; <paramref name="squeue"/> stands in for SLURM's queue (tests).</summary>
    public static ExperimentStatus Of(string folder, Func<IReadOnlyList<SlurmQueueEntry>?>? squeue = null)
    {
        var job = Experiment.Open(folder);
        var c = job.Effective;
        var queue = SlurmQueueView.Read(job.Root, squeue);
        var data = job.Kind.DataSides(c).Select(side =>
        {
            string dataFolder = ExperimentContext.DataFolder(job.Root, side), stage = ExperimentCampaign.SampleStage(side);
            int runs = ExperimentContext.Spec(c.Data, side).Plan().Count;
            return new ExperimentDataStatus(dataFolder, stage, runs,
                DataSet.IsDataSet(dataFolder) ? DataSetStatus.Of(dataFolder, queue, stage, job.PerTask(runs), job.Root) : null);
        }).ToList();
        var runningTasks = queue.RunningTasks(ExperimentCampaign.TrainStage);
        var trainings = job.Kind.Trainings(c, job.Root).Select((t, i) =>
        {
            var status = TrainingStatus.Of(t.Folder, t.Train.Epochs ?? Recipe.For(t.Train.Model).Epochs);
            if (runningTasks.Contains(i) && status.State != TrainingStatus.Finished) status = status with { State = TrainingStatus.Running };
            string? log = status.State == TrainingStatus.Finished ? null : SlurmLogs.ForTask(queue.Jobs, ExperimentCampaign.TrainStage, i);
            return new ExperimentTrainingStatus(t.Label, t.Seed, i, status, log);
        }).ToList();
        string report = File.Exists(Path.Combine(job.Root, Experiment.ResultsFile)) ? "written"
            : queue.StateOf(ExperimentCampaign.ReportStage) is { Running: > 0 } ? "running" : "missing";
        return new ExperimentStatus
        {
            Folder = job.Root, Name = job.Name, Tiny = job.Tiny, Data = data, Trainings = trainings, Report = report, Queue = queue,
            EtaSeconds = data.Sum(d => d.EtaSeconds) + TrainingEta(trainings.Select(t => t.Status).ToList()),
        };
    }

    private static double TrainingEta(IReadOnlyList<TrainingStatus> trainings)
    {
        var left = trainings.Where(t => t.State != TrainingStatus.Finished).ToList();
        if (left.Count == 0) return 0;
        var rates = trainings.Select(t => t.SecondsPerEpoch).Where(double.IsFinite).ToList();
        double meanPerEpoch = rates.Count > 0 ? rates.Average() : double.NaN;
        double total = left.Sum(t => double.IsFinite(t.EtaSeconds) ? t.EtaSeconds
            : t.EpochsPlanned is { } p ? Math.Max(0, p - t.EpochsDone) * meanPerEpoch : double.NaN);
        return total / Math.Max(1, left.Count(t => t.State == TrainingStatus.Running));
    }

    /// <summary>A few lines for people: per stage what is done, running, failed or missing, the logs to read, the queue and the ETA.</summary>
    public IEnumerable<string> Describe()
    {
        yield return $"experiment {Name}{(Tiny ? " (tiny)" : "")} in {Folder}";
        foreach (var d in Data)
        {
            if (d.Status is null) yield return $"{d.Stage}: not started ({d.Runs} runs into {d.Folder})";
            else
                foreach (var line in d.Status.Describe(withQueue: false))
                    yield return line.StartsWith("data set ", StringComparison.Ordinal) ? $"{d.Stage}: {line["data set ".Length..]}" : line;
        }
        if (Trainings.Count > 0)
        {
            var counts = Trainings.GroupBy(t => t.Status.State).ToDictionary(g => g.Key, g => g.Count());
            int N(string state) => counts.GetValueOrDefault(state);
            yield return $"train: {N(TrainingStatus.Finished)} of {Trainings.Count} models finished, {N(TrainingStatus.Running)} running, " +
                         $"{N(TrainingStatus.Interrupted)} interrupted, {N(TrainingStatus.Missing)} missing";
            foreach (var t in Trainings.Where(t => t.Status.State is TrainingStatus.Running or TrainingStatus.Interrupted || t.Log is not null))
                yield return $"  {t.Label} seed {t.Seed}: {t.Status.State}, {t.Status.Epochs}" + (t.Log is not null ? $"; log: {t.Log}" : "");
        }
        yield return $"report: {Report switch { "written" => "written (" + Experiment.ResultsFile + ")", "running" => "running", _ => "not yet" }}";
        foreach (var line in Queue.Describe()) yield return line;
        if (!IsDone) yield return $"ETA to the report: {Durations.Describe(EtaSeconds)}";
    }

    /// <summary>The status as a JSON object (snake_case; NaN and infinities as null).</summary>
    public JsonObject ToJsonObject() => new()
    {
        ["kind"] = "experiment",
        ["folder"] = Folder,
        ["name"] = Name,
        ["tiny"] = Tiny,
        ["done"] = IsDone,
        ["data"] = new JsonArray(Data.Select(d => (JsonNode?)(d.Status?.ToJsonObject(withQueue: false) ?? new JsonObject
        {
            ["kind"] = "dataset", ["folder"] = d.Folder, ["stage"] = d.Stage, ["runs"] = d.Runs, ["complete"] = 0, ["running"] = 0, ["failed"] = 0,
            ["pending"] = d.Runs, ["failures"] = new JsonArray(), ["eta_seconds"] = null,
        })).ToArray()),
        ["trainings"] = new JsonArray(Trainings.Select(t =>
        {
            var json = t.Status.ToJsonObject();
            json.Remove("kind");
            json["label"] = t.Label;
            json["seed"] = t.Seed;
            json["task"] = t.Task;
            json["log"] = t.Log;
            return (JsonNode?)json;
        }).ToArray()),
        ["report"] = Report,
        ["queue"] = Queue.ToJson(),
        ["eta_seconds"] = PepLabJson.Number(EtaSeconds),
    };

    /// <summary>The status as indented JSON (what <c>pep status --json</c> prints for an experiment).</summary>
    public string ToJson() => PepLabJson.Text(ToJsonObject());
}

/// <summary>
/// <c>pep status DIR</c>: the status of whatever <paramref name="Folder"/> holds, an experiment, a
/// data set or a model folder, as lines for people and as one JSON document (its "kind" says which).
/// </summary>
/// <param name="Folder">The folder asked about.</param>
/// <param name="Kind">"experiment", "dataset", "model", or "jobs" (submitted, nothing written yet).</param>
/// <param name="Lines">The summary for people.</param>
/// <param name="Json">The same as JSON (snake_case, NaN and infinities as null).</param>
public sealed record FolderStatus(string Folder, string Kind, IReadOnlyList<string> Lines, JsonObject Json)
{
    /// <summary>
    /// Finds what <paramref name="folder"/> holds and reads its status; a folder that is none of these
    /// is a <see cref="PepLabInputException"/> naming it.
    /// </summary>
    public static FolderStatus Of(string folder)
    {
        if (!Directory.Exists(folder)) throw new PepLabInputException(folder, "does not exist (pep status takes an experiment, data set or model folder)");
        if (Experiment.IsExperiment(folder))
        {
            var e = ExperimentStatus.Of(folder);
            return new FolderStatus(folder, "experiment", e.Describe().ToList(), e.ToJsonObject());
        }
        if (DataSet.IsDataSet(folder))
        {
            var d = DataSetStatus.Read(folder);
            return new FolderStatus(folder, "dataset", d.Describe().ToList(), d.ToJsonObject());
        }
        if (TrainingStatus.IsModelFolder(folder))
        {
            var t = TrainingStatus.Of(folder);
            return new FolderStatus(folder, "model", [t.Describe()], t.ToJsonObject());
        }
        if (SlurmCampaign.ReadJobs(folder).Count > 0)
        {
            // Submitted, and no job has written anything yet (a sweep's first task creates its data set).
            var queue = SlurmQueueView.Read(folder);
            var json = new JsonObject { ["kind"] = "jobs", ["folder"] = Path.GetFullPath(folder), ["queue"] = queue.ToJson() };
            return new FolderStatus(folder, "jobs", [$"{Path.GetFullPath(folder)}: submitted, nothing written yet", .. queue.Describe()], json);
        }
        throw new PepLabInputException(folder, $"is not an experiment ({Experiment.RunFile}), a data set ({DataSet.SpecFile}) " +
                                               $"or a model folder ({ModelFile.JsonName}, {TrainingCheckpoint.FileName} or {LearnFiles.History})");
    }

    /// <summary>The JSON document, indented.</summary>
    public string ToJson() => PepLabJson.Text(PepLabJson.Document(Kind, Json));
}
