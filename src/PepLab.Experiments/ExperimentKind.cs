using PepLab.Report;

namespace PepLab.Experiments;

/// <summary>
/// One kind of experiment, the <c>kind</c> key of an experiment's TOML file: what it needs of a
/// config beyond the common ranges, and how it runs and reports. Every kind is listed once, in
/// <see cref="All"/>.
/// </summary>
public abstract class ExperimentKind
{
    /// <summary>Every kind, in the order help and error messages list them.</summary>
    public static IReadOnlyList<ExperimentKind> All { get; } =
    [
        new BaselineExperiment(),
        new SteadyExperiment(),
        new RollingExperiment(),
        new MixedDensitiesExperiment(),
        new LatticeSizeExperiment(),
    ];

    /// <summary>The kind named <paramref name="name"/>; an unknown name is a programming error (configs are checked against <see cref="All"/> when parsed).</summary>
    public static ExperimentKind Of(string name) =>
        All.FirstOrDefault(k => k.Name == name) ?? throw new ArgumentException($"'{name}' is not an experiment kind", nameof(name));

    /// <summary>The value of the <c>kind</c> key.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Checks what this kind needs of <paramref name="config"/> beyond the common ranges;
    /// <paramref name="bad"/> makes the error for a key and its problem.
    /// </summary>
    public virtual void Validate(ExperimentConfig config, Func<string, string, Exception> bad)
    {
    }

    /// <summary>The lattice sides of the data sets this kind samples (null: the config's own lattice, one data set).</summary>
    internal virtual IReadOnlyList<int?> DataSides(ExperimentConfig config) => [null];

    /// <summary>The models this kind trains, in the order it trains them (on a cluster, one array task each).</summary>
    internal abstract IReadOnlyList<PlannedTraining> Trainings(ExperimentConfig config, string root);

    /// <summary>
    /// Samples the data, trains and scores the models into <paramref name="ctx"/> and writes the
    /// results, figures and summary sections of <paramref name="doc"/>.
    /// </summary>
    /// <returns>The summary paragraph.</returns>
    internal abstract string Run(ExperimentContext ctx, ReportDocument doc);
}

/// <summary>A model an experiment trains: its label in the report, data set, settings, seed and folder.</summary>
public sealed record PlannedTraining(string Label, string Data, TrainConfig Train, ulong Seed, string Folder);
