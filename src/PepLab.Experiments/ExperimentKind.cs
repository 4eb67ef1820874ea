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

    /// <summary>
    /// Samples the data, trains and scores the models into <paramref name="ctx"/> and writes the
    /// results, figures and summary sections of <paramref name="doc"/>.
    /// </summary>
    /// <returns>The summary paragraph.</returns>
    internal abstract string Run(ExperimentContext ctx, ReportDocument doc);
}
