using System.Globalization;
using System.Reflection;
using PepLab.Core;
using Tomlyn;
using Tomlyn.Model;

namespace PepLab.Experiments;

/// <summary>The data an experiment simulates (or reuses): one grid, possibly at several lattice sizes.</summary>
public sealed record DataConfig
{
    public int Nx { get; init; } = 64;
    public int Ny { get; init; } = 64;
    /// <summary>Lattice sides (square lattices) for lattice-size; empty = just Nx x Ny.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [];
    public IReadOnlyList<double> Densities { get; init; } = [0.15];
    public IReadOnlyList<double> Tumbles { get; init; } = ParameterGrid.EvenTumbles();
    public int Replicas { get; init; } = 2;
    public int Snapshots { get; init; } = 500;
    public int Warmup { get; init; } = RunParameters.DefaultWarmup;
}

/// <summary>Training settings; each [[setting]] of a comparison overrides some of them.</summary>
public sealed record TrainConfig
{
    public string Model { get; init; } = "peplab";
    public int? Epochs { get; init; }
    public int? Batch { get; init; }
    /// <summary>Augmentation; null: the model's recipe, as <c>pep train</c> (d4 for peplab).</summary>
    public string? Augment { get; init; }
    public bool Steady { get; init; }
    public string Head { get; init; } = "point";
    /// <summary>
    /// Replicas held out for scoring (all their runs): never trained or validated on. The model
    /// validates (and fits its calibration) on the last part of each training run instead.
    /// </summary>
    public IReadOnlyList<int> HoldOutReplicas { get; init; } = [1];
    /// <summary>Lattice side trained on (lattice-size).</summary>
    public int? TrainSize { get; init; }
}

/// <summary>
/// Values of a config's <c>[data]</c> replaced for one run (<c>pep experiment --densities/--snapshots/--replicas</c>),
/// to scale a shipped experiment down on a laptop or up on a cluster; null keeps the config's value.
/// </summary>
public sealed record ExperimentOverrides
{
    public IReadOnlyList<double>? Densities { get; init; }
    public int? Snapshots { get; init; }
    public int? Replicas { get; init; }

    /// <summary>Whether nothing is overridden.</summary>
    public bool IsEmpty => Densities is null && Snapshots is null && Replicas is null;

    /// <summary>The command-line options that give these overrides (<c>--snapshots 100</c>), for rerun.sh and the report.</summary>
    public IEnumerable<string> Arguments()
    {
        if (Densities is { } ds) yield return "--densities " + string.Join(',', ds.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
        if (Snapshots is { } s) yield return $"--snapshots {s}";
        if (Replicas is { } r) yield return $"--replicas {r}";
    }
}

/// <summary>One compared setting: a name and its training settings.</summary>
public sealed record Setting(string Name, TrainConfig Train);

/// <summary>
/// An experiment as described by its TOML file: <c>kind</c> (which built-in runs it), the question,
/// the seeds, <c>[data]</c>, <c>[train]</c> and, for comparisons, <c>[[setting]]</c> blocks. Unknown
/// keys and wrong types are <see cref="PepLabInputException"/>s naming the key.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>The names of the experiment kinds (<see cref="ExperimentKind.All"/>).</summary>
    public static readonly string[] Kinds = ExperimentKind.All.Select(k => k.Name).ToArray();

    public required string Kind { get; init; }
    public required string Question { get; init; }
    public IReadOnlyList<ulong> Seeds { get; init; } = [1];
    public DataConfig Data { get; init; } = new();
    public TrainConfig Train { get; init; } = new();
    public IReadOnlyList<Setting> Settings { get; init; } = [];
    /// <summary>Where the config came from (a file, or the built-in one), named in error messages.</summary>
    public string Source { get; init; } = "config";

    /// <summary>
    /// The names of the shipped experiments (<c>experiments/NAME.toml</c>, embedded in this assembly): one
    /// per kind, named after it, and studies that run a kind at another scale (<c>densities</c>).
    /// </summary>
    public static readonly string[] Shipped = typeof(ExperimentConfig).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("experiments.", StringComparison.Ordinal) && n.EndsWith(".toml", StringComparison.Ordinal))
        .Select(n => n["experiments.".Length..^".toml".Length]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The text of the shipped config of a built-in experiment (embedded in this assembly).</summary>
    public static string BuiltIn(string name)
    {
        using var stream = typeof(ExperimentConfig).Assembly.GetManifestResourceStream($"experiments.{name}.toml")
            ?? throw new PepLabInputException(name, $"is not a built-in experiment ({string.Join(", ", Shipped)}); give --config FILE.toml");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Parses a config; <paramref name="source"/> names it in error messages.</summary>
    public static ExperimentConfig Parse(string text, string source)
    {
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(text, (TomlSerializerOptions?)null)
                   ?? throw new PepLabInputException(source, "is empty");
        }
        catch (TomlException e)
        {
            throw new PepLabInputException(source, $"is not valid TOML: {e.Message.ReplaceLineEndings(" ")}");
        }
        var r = new Reader(source);
        r.Known(root, "", "kind", "question", "seeds", "data", "train", "setting");
        string kind = r.String(root, "", "kind") ?? throw new PepLabInputException(source, "misses the key 'kind'");
        if (!Kinds.Contains(kind)) throw new PepLabInputException(source, $"kind = \"{kind}\" is not one of {string.Join(", ", Kinds)}");
        var seeds = r.IntArray(root, "", "seeds")?.Select(s => s < 0 ? throw r.Bad("seeds", "must not be negative") : (ulong)s).ToList();
        var data = new DataConfig();
        if (r.Table(root, "", "data") is { } d)
        {
            r.Known(d, "data.", "nx", "ny", "sizes", "densities", "tumbles", "replicas", "snapshots", "warmup");
            data = new DataConfig
            {
                Nx = r.Int(d, "data.", "nx") ?? data.Nx,
                Ny = r.Int(d, "data.", "ny") ?? data.Ny,
                Sizes = r.IntArray(d, "data.", "sizes") ?? data.Sizes,
                Densities = Grid(r, d, "densities") ?? data.Densities,
                Tumbles = Grid(r, d, "tumbles") ?? data.Tumbles,
                Replicas = r.Int(d, "data.", "replicas") ?? data.Replicas,
                Snapshots = r.Int(d, "data.", "snapshots") ?? data.Snapshots,
                Warmup = r.Int(d, "data.", "warmup") ?? data.Warmup,
            };
        }
        var train = r.Table(root, "", "train") is { } t ? ReadTrain(r, t, "train.", new TrainConfig()) : new TrainConfig();
        var settings = new List<Setting>();
        if (root.TryGetValue("setting", out var s))
        {
            if (s is not TomlTableArray blocks) throw r.Bad("setting", "must be an array of tables ([[setting]])");
            int i = 0;
            foreach (var block in blocks)
            {
                string prefix = $"setting[{i++}].";
                string name = r.String(block, prefix, "name") ?? throw r.Bad(prefix + "name", "is missing");
                var copy = new TomlTable();
                foreach (var kv in block) if (kv.Key != "name") copy[kv.Key] = kv.Value;
                settings.Add(new Setting(name, ReadTrain(r, copy, prefix, train)));
            }
        }
        var config = new ExperimentConfig
        {
            Kind = kind,
            Question = r.String(root, "", "question") ?? "",
            Seeds = seeds ?? [1],
            Data = data,
            Train = train,
            Settings = settings,
            Source = source,
        };
        return config.Validate(source);
    }

    private static TrainConfig ReadTrain(Reader r, TomlTable t, string prefix, TrainConfig defaults)
    {
        r.Known(t, prefix, "model", "epochs", "batch", "augment", "steady", "head", "hold_out_replica", "train_size");
        return new TrainConfig
        {
            Model = r.String(t, prefix, "model") ?? defaults.Model,
            Epochs = r.Int(t, prefix, "epochs") ?? defaults.Epochs,
            Batch = r.Int(t, prefix, "batch") ?? defaults.Batch,
            Augment = r.String(t, prefix, "augment") ?? defaults.Augment,
            Steady = r.Bool(t, prefix, "steady") ?? defaults.Steady,
            Head = r.String(t, prefix, "head") ?? defaults.Head,
            HoldOutReplicas = r.IntOrIntArray(t, prefix, "hold_out_replica") ?? defaults.HoldOutReplicas,
            TrainSize = r.Int(t, prefix, "train_size") ?? defaults.TrainSize,
        };
    }

    /// <summary>
    /// <c>data.densities</c> or <c>data.tumbles</c>: a list of numbers, or a string in the grid syntax of
    /// <c>pep sample</c> (<see cref="ParameterGrid.Parse"/>: <c>"0.005:0.5:0.005"</c>, stop included, or
    /// <c>"0.1,0.2"</c>); tumbles also take the original's named sets <c>"even"</c>, <c>"odd"</c>, <c>"original"</c>.
    /// </summary>
    private static IReadOnlyList<double>? Grid(Reader r, TomlTable d, string key)
    {
        if (!d.TryGetValue(key, out var v)) return null;
        if (v is not string text) return r.FloatArray(d, "data.", key);
        if (key == "tumbles")
            switch (text)
            {
                case "even": return ParameterGrid.EvenTumbles();
                case "odd": return ParameterGrid.OddTumbles();
                case "original": return ParameterGrid.OriginalTumbles();
            }
        try
        {
            return ParameterGrid.Parse(text, key);
        }
        catch (PepLabInputException e)
        {
            throw r.Bad("data." + key, e.Problem + (key == "tumbles" ? "; or give \"even\", \"odd\" or \"original\"" : ""));
        }
    }

    /// <summary>Checks ranges and what the kind needs.</summary>
    public ExperimentConfig Validate(string source)
    {
        PepLabInputException Bad(string key, string problem) => new(source, $"{key} {problem}");
        if (Seeds.Count == 0) throw Bad("seeds", "is empty");
        if (Data.Nx < 8 || Data.Ny < 8) throw Bad("data.nx/ny", "must be at least 8");
        if (Data.Sizes.Any(x => x < 8)) throw Bad("data.sizes", "must all be at least 8");
        if (Data.Densities.Count == 0 || Data.Densities.Any(x => !(x > 0 && x < 1))) throw Bad("data.densities", "must be a non-empty list of values in (0, 1)");
        if (Data.Tumbles.Count < 2 || Data.Tumbles.Any(x => !(x > 0 && x <= 1))) throw Bad("data.tumbles", "must hold at least two values in (0, 1]");
        if (Data.Replicas < 2) throw Bad("data.replicas", "must be at least 2 (one replica is held out for scoring)");
        if (Data.Snapshots < 8) throw Bad("data.snapshots", "must be at least 8");
        if (Data.Warmup < 0) throw Bad("data.warmup", "must be at least 0");
        foreach (var (prefix, t) in Settings.Select((s, i) => ($"setting[{i}].", s.Train)).Prepend(("train.", Train)))
        {
            if (t.Epochs is < 1) throw Bad(prefix + "epochs", "must be at least 1");
            if (t.Batch is < 1) throw Bad(prefix + "batch", "must be at least 1");
            if (t.HoldOutReplicas.Count == 0 || t.HoldOutReplicas.Any(h => h < 0 || h >= Data.Replicas))
                throw Bad(prefix + "hold_out_replica", $"must be a replica 0..{Data.Replicas - 1}, or a list of them");
            if (t.HoldOutReplicas.Distinct().Count() >= Data.Replicas)
                throw Bad(prefix + "hold_out_replica", $"holds out every replica of {Data.Replicas}: at least one must be left to train on");
            try
            {
                if (t.Augment is not null) Learn.Augmentation.Parse(t.Augment);
                Learn.ModelSettingNames.ParseHead(t.Head);
            }
            catch (PepLabInputException e) when (KeyFor(e.Subject, prefix) is { } key)
            {
                throw Bad(key, e.Problem);
            }
        }
        if (Settings.Select(s => s.Name).Distinct().Count() != Settings.Count) throw Bad("[[setting]]", "names must be unique");
        ExperimentKind.Of(Kind).Validate(this, Bad);
        return this;
    }

    /// <summary>
    /// The key of this config that sets the library parameter <paramref name="parameter"/> (as the
    /// library names it, e.g. <c>holdOutReplica</c>): <c>data.densities</c>, <c>train.hold_out_replica</c>,
    /// or in <paramref name="trainPrefix"/>'s table for training settings (<c>setting[1].</c>; null: no
    /// training key, when it is not known which table the value came from). Null for a parameter no
    /// key sets.
    /// </summary>
    public static string? KeyFor(string parameter, string? trainPrefix = "train.") => parameter switch
    {
        "seed" or "seeds" => "seeds",
        "density" or "densities" => "data.densities",
        "tumble" or "tumbles" => "data.tumbles",
        "nx" or "ny" or "replicas" or "snapshots" or "warmup" or "sizes" => "data." + parameter,
        _ when trainPrefix is null => null,
        "model" or "epochs" or "augment" or "steady" or "head" => trainPrefix + parameter,
        "batch" or "batchSize" => trainPrefix + "batch",
        "holdOutReplica" => trainPrefix + "hold_out_replica",
        "trainSize" => trainPrefix + "train_size",
        _ => null,
    };

    /// <summary>
    /// <paramref name="e"/> about the key of this config the user wrote, when a library parameter
    /// names one (<c>holdOutReplica</c> -> <c>config.toml: train.hold_out_replica</c>); else
    /// <paramref name="e"/> itself, for the command line to name its option.
    /// </summary>
    public PepLabInputException KeySubject(PepLabInputException e, string? trainPrefix = "train.") =>
        e.NamesParameter && KeyFor(e.Subject, trainPrefix) is { } key ? e.WithSubject($"{Source}: {key}") : e;

    /// <summary>A seconds-long version for tests and smoke checks: small lattices, few snapshots, one epoch, one seed.</summary>
    public ExperimentConfig Tiny()
    {
        var sizes = Data.Sizes.Count == 0 ? Data.Sizes : Data.Sizes.Order().Take(2).Select((_, i) => i == 0 ? 24 : 32).ToList();
        return this with
        {
            Seeds = [Seeds[0]],
            Data = Data with
            {
                Nx = Math.Min(Data.Nx, 32),
                Ny = Math.Min(Data.Ny, 32),
                Sizes = sizes,
                Densities = Data.Densities.Count <= 2 ? Data.Densities : [Data.Densities[0], Data.Densities[^1]],
                Tumbles = Data.Tumbles.Count <= 3 ? Data.Tumbles : [Data.Tumbles[0], Data.Tumbles[Data.Tumbles.Count / 2], Data.Tumbles[^1]],
                Replicas = 2,
                Snapshots = 24,
                Warmup = 50,
            },
            Train = Train with { Epochs = 1, TrainSize = Train.TrainSize is null ? null : sizes.Count > 0 ? sizes[^1] : null, HoldOutReplicas = [1] },
            Settings = Settings.Select(s => s with { Train = s.Train with { Epochs = 1, HoldOutReplicas = [1] } }).ToList(),
        };
    }

    /// <summary>
    /// This config with <paramref name="overrides"/> applied (<c>pep experiment --densities/--snapshots/--replicas</c>),
    /// checked again; a bad override names its parameter (<c>snapshots</c>), not a key of the file.
    /// </summary>
    public ExperimentConfig With(ExperimentOverrides overrides)
    {
        if (overrides.Densities is { } ds && (ds.Count == 0 || ds.Any(x => !(x > 0 && x < 1))))
            throw new PepLabInputException("densities", "must be a non-empty list of values in (0, 1)");
        if (overrides.Snapshots is < 8) throw new PepLabInputException("snapshots", $"must be at least 8 (got {overrides.Snapshots})");
        int heldOut = Settings.Select(s => s.Train.HoldOutReplicas.Max()).Append(Train.HoldOutReplicas.Max()).Max();
        int least = Math.Max(heldOut + 1, Settings.Select(s => s.Train.HoldOutReplicas.Count).Append(Train.HoldOutReplicas.Count).Max() + 1);
        if (overrides.Replicas is { } n && n < least)
            throw new PepLabInputException("replicas", $"must be at least {least}: replica {heldOut} is held out for scoring and one must be left to train on (got {n})");
        return (this with
        {
            Data = Data with
            {
                Densities = overrides.Densities ?? Data.Densities,
                Snapshots = overrides.Snapshots ?? Data.Snapshots,
                Replicas = overrides.Replicas ?? Data.Replicas,
            },
        }).Validate(Source);
    }

    /// <summary>Reads typed values, naming the key in every error.</summary>
    private sealed class Reader(string source)
    {
        public PepLabInputException Bad(string key, string problem) => new(source, $"{key} {problem}");

        public void Known(TomlTable t, string prefix, params string[] keys)
        {
            foreach (var k in t.Keys)
                if (!keys.Contains(k)) throw Bad(prefix + k, $"is not a known key (known here: {string.Join(", ", keys)})");
        }

        public TomlTable? Table(TomlTable t, string prefix, string key) =>
            !t.TryGetValue(key, out var v) ? null : v as TomlTable ?? throw Bad(prefix + key, "must be a table");

        public string? String(TomlTable t, string prefix, string key) =>
            !t.TryGetValue(key, out var v) ? null : v as string ?? throw Bad(prefix + key, $"must be a string (got {Describe(v)})");

        public bool? Bool(TomlTable t, string prefix, string key) =>
            !t.TryGetValue(key, out var v) ? null : v is bool b ? b : throw Bad(prefix + key, $"must be true or false (got {Describe(v)})");

        public int? Int(TomlTable t, string prefix, string key)
        {
            if (!t.TryGetValue(key, out var v)) return null;
            if (v is long l and >= int.MinValue and <= int.MaxValue) return (int)l;
            throw Bad(prefix + key, $"must be an integer (got {Describe(v)})");
        }

        /// <summary>An integer or a list of integers (as a list).</summary>
        public List<int>? IntOrIntArray(TomlTable t, string prefix, string key) =>
            t.TryGetValue(key, out var v) && v is long ? [Int(t, prefix, key)!.Value] : IntArray(t, prefix, key);

        public List<int>? IntArray(TomlTable t, string prefix, string key)
        {
            if (!t.TryGetValue(key, out var v)) return null;
            if (v is not TomlArray a) throw Bad(prefix + key, $"must be a list of integers (got {Describe(v)})");
            return a.Select(x => x is long l and >= int.MinValue and <= int.MaxValue ? (int)l : throw Bad(prefix + key, $"must be a list of integers (holds {Describe(x)})")).ToList();
        }

        public List<double>? FloatArray(TomlTable t, string prefix, string key)
        {
            if (!t.TryGetValue(key, out var v)) return null;
            if (v is not TomlArray a) throw Bad(prefix + key, $"must be a list of numbers (got {Describe(v)})");
            return a.Select(x => x switch
            {
                double d => d,
                long l => l,
                _ => throw Bad(prefix + key, $"must be a list of numbers (holds {Describe(x)})"),
            }).ToList();
        }

        private static string Describe(object? v) => v switch
        {
            null => "nothing",
            string s => $"the string \"{s}\"",
            bool b => b ? "true" : "false",
            long l => $"the integer {l.ToString(CultureInfo.InvariantCulture)}",
            double d => $"the number {d.ToString(CultureInfo.InvariantCulture)}",
            TomlArray => "a list",
            TomlTable => "a table",
            _ => v.GetType().Name,
        };
    }
}
