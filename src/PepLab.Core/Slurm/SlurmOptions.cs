using System.Globalization;
using System.Text.RegularExpressions;

namespace PepLab.Core;

/// <summary>
/// The sbatch options every <c>--slurm</c> command takes, in one place: where and how long the jobs
/// run, what they may use, a pass-through for any other sbatch option and a setup line placed before
/// the command in every script. Values go into the scripts verbatim, so they are checked first.
/// </summary>
public sealed partial record SlurmOptions
{
    /// <summary>sbatch <c>--partition</c>.</summary>
    public string? Partition { get; init; }
    /// <summary>Wall-time limit of each job or array task, in SLURM's syntax (e.g. 02:00:00, 1-12:00:00, 30).</summary>
    public string? Time { get; init; }
    /// <summary>sbatch <c>--account</c>.</summary>
    public string? Account { get; init; }
    /// <summary>Memory per node in SLURM's syntax (e.g. 4G, 500M).</summary>
    public string? Mem { get; init; }
    /// <summary>sbatch <c>--qos</c>.</summary>
    public string? Qos { get; init; }
    /// <summary>Cores of each job or array task; null = the stage's own default.</summary>
    public int? CpusPerTask { get; init; }
    /// <summary>sbatch <c>--gpus</c> (e.g. 1, a100:1); training jobs only.</summary>
    public string? Gpus { get; init; }
    /// <summary>sbatch <c>--gres</c> (e.g. gpu:1); training jobs only.</summary>
    public string? Gres { get; init; }
    /// <summary>At most this many tasks of an array at once (<c>--array=...%K</c>); null = no limit.</summary>
    public int? ArrayParallel { get; init; }
    /// <summary>Other sbatch options, each written as its own <c>#SBATCH</c> line (e.g. <c>--constraint=avx512</c>).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
    /// <summary>A shell line run before the command in every script (e.g. <c>module load dotnet</c>).</summary>
    public string? Setup { get; init; }

    /// <summary>Refuses values sbatch would refuse or that would break a script; returns the options.</summary>
    public SlurmOptions Validate()
    {
        foreach (var (name, value) in new[] { ("partition", Partition), ("account", Account), ("qos", Qos), ("gpus", Gpus), ("gres", Gres) })
            if (value is not null && !Word().IsMatch(value))
                throw new PepLabInputException(name, $"'{value}' is not a SLURM name (letters, digits and . _ - : , only)");
        if (Time is { } time && !TimeLimit().IsMatch(time))
            throw new PepLabInputException("time", $"'{time}' is not a SLURM time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)");
        if (Mem is { } mem && !Memory().IsMatch(mem))
            throw new PepLabInputException("mem", $"'{mem}' is not a SLURM memory size (e.g. 4G, 500M, 16000)");
        if (CpusPerTask is < 1) throw new PepLabInputException("cpusPerTask", $"must be at least 1 (got {CpusPerTask})");
        if (ArrayParallel is < 1) throw new PepLabInputException("arrayParallel", $"must be at least 1 (got {ArrayParallel})");
        foreach (var extra in Extra)
            if (!extra.StartsWith('-') || extra.Any(char.IsControl) || extra.Trim().Length != extra.Length)
                throw new PepLabInputException("sbatch", $"'{extra}' is not an sbatch option (one option per value, e.g. --constraint=avx512)");
        if (Setup is { } setup && setup.Any(c => c is '\n' or '\r'))
            throw new PepLabInputException("setup", "must be one line (join several commands with ' && ')");
        return this;
    }

    /// <summary>The <c>#SBATCH</c> options these settings give a job with <paramref name="cpus"/> cores (the stage's default unless set).</summary>
    /// <param name="cpus">Cores of the job unless <see cref="CpusPerTask"/> is set.</param>
    /// <param name="gpu">Whether the job may take the GPU options (training jobs).</param>
    public IEnumerable<string> SbatchLines(int cpus, bool gpu)
    {
        yield return $"--cpus-per-task={(CpusPerTask ?? cpus).ToString(CultureInfo.InvariantCulture)}";
        yield return "--ntasks=1";
        if (Partition is { } p) yield return $"--partition={p}";
        if (Time is { } t) yield return $"--time={t}";
        if (Account is { } a) yield return $"--account={a}";
        if (Mem is { } m) yield return $"--mem={m}";
        if (Qos is { } q) yield return $"--qos={q}";
        if (gpu && Gpus is { } g) yield return $"--gpus={g}";
        if (gpu && Gres is { } r) yield return $"--gres={r}";
        foreach (var e in Extra) yield return e;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:,\-]+$")]
    private static partial Regex Word();

    [GeneratedRegex(@"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$")]
    private static partial Regex TimeLimit();

    [GeneratedRegex(@"^\d+[KMGT]?$")]
    private static partial Regex Memory();
}
