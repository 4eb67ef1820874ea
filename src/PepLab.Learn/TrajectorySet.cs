using System.Globalization;
using PepLab.Core;
using PepLab.Store;

namespace PepLab.Learn;

/// <summary>One trajectory file of a data set: its metadata and the label (its P_t).</summary>
public sealed record RunEntry
{
    /// <summary>Position in the data set (stable for a given folder content).</summary>
    public required int Id { get; init; }
    public required string Path { get; init; }
    public required TrajectoryInfo Info { get; init; }
    /// <summary>Frames in the file.</summary>
    public required int Frames { get; init; }

    public double Tumble => Info.Tumble;
    public double Density => Info.DensityRequested;

    /// <summary>The (density, P_t) group: replicas are different runs with the same parameters.</summary>
    public (double Density, double Tumble) Group => (Math.Round(Density, 9), Math.Round(Tumble, 12));

    /// <summary>Short name for tables: the file name without folder.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The replica index of a data-set run (its file name is a <see cref="RunName"/>); null for other files.</summary>
    public int? Replica => RunName.ReplicaOf(Name);

    /// <summary>The keys that join this run's rows to the other tables (<see cref="RunKeys"/>).</summary>
    public RunKeys Keys => RunKeys.Of(Path, Info);
}

/// <summary>
/// A training or evaluation data set: the trajectory files a path names (<see cref="DataSet.TrajectoryFiles"/>),
/// with its metadata. Opening reads only metadata; frames are streamed later.
/// </summary>
public sealed class TrajectorySet
{
    private TrajectorySet(string root, IReadOnlyList<RunEntry> runs)
    {
        Root = root;
        Runs = runs;
    }

    public string Root { get; }
    public IReadOnlyList<RunEntry> Runs { get; }
    public long TotalFrames => Runs.Sum(r => (long)r.Frames);
    public IReadOnlyList<double> Tumbles => Runs.Select(r => r.Group.Tumble).Distinct().Order().ToList();
    public IReadOnlyList<double> Densities => Runs.Select(r => r.Group.Density).Distinct().Order().ToList();
    public int GroupCount => Runs.Select(r => r.Group).Distinct().Count();

    /// <summary>
    /// Opens the runs that <paramref name="path"/> names (<see cref="DataSet.TrajectoryFiles"/>: a file,
    /// a data set, or a folder of them), keeping the runs that pass the filters. Throws <see cref="PepLabInputException"/> when
    /// nothing is there or a file is not a trajectory.
    /// </summary>
    /// <param name="path">A file, a data-set folder, or a folder of them (see <see cref="DataSet.TrajectoryFiles"/>).</param>
    /// <param name="densities">Keep only runs of these densities.</param>
    /// <param name="tumbles">Keep only runs of these P_t.</param>
    /// <param name="open">Opens a file (default <see cref="FrameSources.Open"/>).</param>
    /// <param name="replicas">Keep only data-set runs of these replica indices (files <c>*_r{k}.h5</c>), e.g. the held-out replica.</param>
    public static TrajectorySet Open(string path, ValueFilter? densities = null, ValueFilter? tumbles = null, Func<string, IFrameSource>? open = null,
        ValueFilter? replicas = null)
    {
        open ??= FrameSources.Open;
        var files = DataSet.TrajectoryFiles(path);

        var filter = new RunFilter(densities, tumbles, replicas);
        var runs = new List<RunEntry>();
        foreach (var file in files)
        {
            using var source = open(file);
            var entry = new RunEntry { Id = runs.Count, Path = file, Info = source.Info, Frames = source.Count };
            if (!filter.Matches(entry.Density, entry.Tumble, entry.Replica)) continue;
            if (entry.Frames == 0) continue;
            runs.Add(entry);
        }
        if (runs.Count == 0)
        {
            string why = filter.IsAll ? "no frames in any trajectory" : $"no run matches {filter}";
            throw new PepLabInputException(path, why);
        }
        return new TrajectorySet(System.IO.Path.GetFullPath(path), runs);
    }

    /// <summary>A data set from runs already known (tests, in-memory benchmarks).</summary>
    public static TrajectorySet FromRuns(string root, IEnumerable<RunEntry> runs) => new(root, runs.ToList());

    /// <summary>The lattice every run shares; throws when they differ.</summary>
    public (int Nx, int Ny) Lattice(string subject)
    {
        var sizes = Runs.Select(r => (r.Info.Nx, r.Info.Ny)).Distinct().ToList();
        if (sizes.Count > 1)
            throw new PepLabInputException(subject,
                $"mixes lattice sizes ({string.Join(", ", sizes.Select(s => $"{s.Nx}x{s.Ny}"))}); use runs of one size");
        return sizes[0];
    }

    /// <summary>Checks that the data set can train a regression: at least two different P_t.</summary>
    public void RequireTrainable(string subject)
    {
        if (Tumbles.Count < 2)
            throw new PepLabInputException(subject,
                $"has a single P_t ({Tumbles[0].ToString("G4", CultureInfo.InvariantCulture)}) in {Runs.Count} run(s); training needs at least two different P_t");
    }

    /// <summary>All frames of every run.</summary>
    public FrameSet All() => new(Runs.Select(r => new RunSelection(r, [new FrameSpan(0, r.Frames)])).ToList());
}
