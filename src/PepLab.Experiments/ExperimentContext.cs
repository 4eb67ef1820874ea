using PepLab.Learn;
using PepLab.Report;
using PepLab.Store;

namespace PepLab.Experiments;

/// <summary>One running experiment: its config and folder, and the scores, figures and data folders it collects.</summary>
internal sealed class ExperimentContext(string name, ExperimentConfig config, string root, IExperimentHost host, int jobs, int threads)
{
    public string Name { get; } = name;
    public ExperimentConfig Config { get; } = config;
    public string Root { get; } = root;
    public IExperimentHost Host { get; } = host;
    public int Jobs { get; } = jobs;
    public int Threads { get; } = threads;
    public List<Score> Scores { get; } = [];
    public List<string> Figures { get; } = [];
    public List<string> DataFolders { get; } = [];

    /// <summary>Samples (or reuses) the config's data set, at lattice side <paramref name="side"/> when given; returns its folder.</summary>
    public string Data(int? side = null)
    {
        var spec = Spec(Config.Data, side);
        string folder = DataFolder(Root, side);
        StudyStages.Sample(Host, folder, spec, Jobs);
        DataFolders.Add(folder);
        return folder;
    }

    /// <summary>The folder of the data set at lattice side <paramref name="side"/> (the config's own lattice when null).</summary>
    public static string DataFolder(string root, int? side) => Path.Combine(root, side is { } s ? $"data-{s}" : "data");

    /// <summary>The folder of a model: <c>models/LABEL-seedN</c>.</summary>
    public static string ModelFolder(string root, string label, ulong seed) => Path.Combine(root, "models", $"{Slug(label)}-seed{seed}");

    /// <summary>The data set of <paramref name="d"/> (at <paramref name="side"/> x <paramref name="side"/> when given).</summary>
    public static SampleSpec Spec(DataConfig d, int? side) => new()
    {
        Densities = d.Densities.ToArray(), Tumbles = d.Tumbles.ToArray(), Replicas = d.Replicas,
        Nx = side ?? d.Nx, Ny = side ?? d.Ny, Snapshots = d.Snapshots, Warmup = d.Warmup, BaseSeed = 1,
    };

    /// <summary>Adds a figure (a file in <see cref="Root"/>) to the report and to the results.</summary>
    public void AddFigure(ReportDocument doc, string file, string caption)
    {
        Figures.Add(file);
        doc.Figure(file, caption);
    }

    /// <summary>Adds every (file, caption) figure to the report and to the results.</summary>
    public void AddFigures(ReportDocument doc, IEnumerable<(string File, string Caption)> figures)
    {
        foreach (var f in figures) AddFigure(doc, f.File, f.Caption);
    }

    /// <summary>Trains (or reuses, or resumes) a planned model.</summary>
    public TrainResult Train(PlannedTraining t) =>
        StudyStages.ScoreHeldOut(Host, StudyStages.Train(Host, Request(t.Data, t.Train, t.Seed, t.Folder), t.Label), t.Data, t.Train.HoldOutReplicas, t.Label);

    /// <summary>The training request of <paramref name="t"/>'s settings.</summary>
    public TrainRequest Request(string dataset, TrainConfig t, ulong seed, string folder) => new()
    {
        Dataset = dataset,
        Out = folder,
        Model = t.Model,
        Head = ModelSettingNames.ParseHead(t.Head),
        Epochs = t.Epochs,
        Batch = t.Batch,
        Augment = t.Augment is null ? null : Augmentation.Parse(t.Augment),
        Steady = t.Steady,
        SteadyJobs = Jobs,
        Seed = seed,
        Threads = Threads,
        Split = StudyStages.HeldOutSplit(t.HoldOutReplicas, Config.Data.Snapshots),
        Overwrite = true,
        // A re-run of the experiment reuses a finished model of the same settings and continues an interrupted one.
        Resume = true,
    };

    /// <summary>A setting's name as a file-name part: lower case, anything but letters and digits a dash.</summary>
    public static string Slug(string s) => new string(s.ToLowerInvariant().Select(ch => char.IsLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');

    /// <summary>Bytes of the trajectory files under <paramref name="folder"/> (0 when it does not exist).</summary>
    public static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.h5", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
