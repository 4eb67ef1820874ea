using PepLab.Core;
using PepLab.Store;

namespace PepLab.Analyse;

/// <summary>Cluster statistics of whole runs: one file at a time, or many files in parallel.</summary>
public static class RunAnalysis
{
    /// <summary>
    /// Labels every frame of <paramref name="range"/> in <paramref name="source"/> and returns the
    /// per-frame statistics (and the cluster sizes with <paramref name="keepSizes"/>).
    /// </summary>
    /// <param name="source">An open trajectory.</param>
    /// <param name="range">Frames to analyse (default all); a range outside the run is a <see cref="PepLabInputException"/>.</param>
    /// <param name="keepSizes">Keep the cluster sizes of every frame.</param>
    /// <param name="framesDone">Called now and then with the number of frames analysed since the last call.</param>
    /// <param name="cancellation">Stops between blocks of frames.</param>
    public static RunSeries Analyse(IFrameSource source, FrameRange? range = null, bool keepSizes = false,
        Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        var (start, end) = (range ?? FrameRange.All).Resolve(source.Count, "frames");
        int n = end - start;
        var labeller = new ClusterLabeller(source.Info.Lattice);
        var stats = new FrameStatistics[n];
        var iterations = new long[n];
        var indices = new int[n];
        int[][]? sizes = keepSizes ? new int[n][] : null;
        int pending = 0;
        foreach (var (index, iteration, frame) in source.Frames(start, end, block: 64))
        {
            int i = index - start;
            labeller.Compute(frame.Span);
            stats[i] = labeller.Statistics;
            iterations[i] = iteration;
            indices[i] = index;
            if (sizes is not null) sizes[i] = labeller.Sizes.ToArray();
            if (++pending == 64)
            {
                cancellation.ThrowIfCancellationRequested();
                framesDone?.Invoke(pending);
                pending = 0;
            }
        }
        if (pending > 0) framesDone?.Invoke(pending);
        return new RunSeries
        {
            Name = System.IO.Path.GetFileNameWithoutExtension(source.Path),
            Path = source.Path,
            Info = source.Info,
            FrameIndices = indices,
            Iterations = iterations,
            Frames = stats,
            Sizes = sizes,
        };
    }

    /// <summary>Opens <paramref name="path"/> (any trajectory layout) and analyses it.</summary>
    public static RunSeries Analyse(string path, FrameRange? range = null, bool keepSizes = false,
        Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        using var source = FrameSources.Open(path);
        return Analyse(source, range, keepSizes, framesDone, cancellation);
    }

    /// <summary>
    /// Labels the frames of <paramref name="run"/> again, straight from its file (its
    /// <see cref="RunSeries.FrameIndices"/>, a contiguous range), and hands each frame's index, iteration
    /// and labeller to <paramref name="frame"/>: per-cluster results that would not fit in memory for a
    /// whole run are streamed this way. With <paramref name="properties"/> the labeller's
    /// <see cref="ClusterLabeller.Clusters"/> are computed too.
    /// </summary>
    public static void ClusterPass(RunSeries run, Action<int, long, ClusterLabeller> frame, bool properties = true,
        Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        if (run.Count == 0) return;
        int start = run.FrameIndices[0], end = run.FrameIndices[^1] + 1;
        if (end - start != run.Count) throw new ArgumentException("the run's frames are not contiguous", nameof(run));
        using var source = FrameSources.Open(run.Path);
        var labeller = new ClusterLabeller(source.Info.Lattice);
        int pending = 0;
        foreach (var (index, iteration, data) in source.Frames(start, end, block: 64))
        {
            labeller.Compute(data.Span, properties);
            frame(index, iteration, labeller);
            if (++pending == 64)
            {
                cancellation.ThrowIfCancellationRequested();
                framesDone?.Invoke(pending);
                pending = 0;
            }
        }
        if (pending > 0) framesDone?.Invoke(pending);
    }

    /// <summary>
    /// Analyses <paramref name="paths"/> with up to <paramref name="jobs"/> files at once (one thread
    /// per file) and hands each result to <paramref name="completed"/> in the order of
    /// <paramref name="paths"/>, as soon as it and all earlier ones are done (so results can be written
    /// out while later files are still analysed, and memory stays bounded).
    /// </summary>
    public static void AnalyseFiles(IReadOnlyList<string> paths, int jobs, FrameRange? range, bool keepSizes,
        Action<int, RunSeries> completed, Action<int>? framesDone = null, CancellationToken cancellation = default)
    {
        if (jobs < 1) throw new PepLabInputException("jobs", $"must be at least 1 (got {jobs})");
        var results = new RunSeries?[paths.Count];
        int next = 0;
        var gate = new object();
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellation };
        try
        {
            Parallel.For(0, paths.Count, options, i =>
            {
                var series = Analyse(paths[i], range, keepSizes, framesDone, cancellation);
                lock (gate)
                {
                    results[i] = series;
                    while (next < results.Length && results[next] is { } done)
                    {
                        completed(next, done);
                        results[next] = null;
                        next++;
                    }
                }
            });
        }
        catch (AggregateException e)
        {
            // One line for the user: the first input problem (or cancellation) wins.
            var first = e.Flatten().InnerExceptions;
            var input = first.OfType<PepLabInputException>().FirstOrDefault();
            if (input is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(input).Throw();
            var cancel = first.OfType<OperationCanceledException>().FirstOrDefault();
            if (cancel is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(cancel).Throw();
            throw;
        }
    }

    /// <summary>
    /// Analyses <paramref name="paths"/> as <see cref="AnalyseFiles"/> does and returns the series in the
    /// order of <paramref name="paths"/>; <paramref name="framesDone"/> gets the running total of frames
    /// read over all files (called from one thread at a time).
    /// </summary>
    public static RunSeries[] AnalyseAll(IReadOnlyList<string> paths, int jobs, FrameRange? range, bool keepSizes,
        Action<long>? framesDone = null, CancellationToken cancellation = default)
    {
        var runs = new RunSeries[paths.Count];
        long done = 0;
        var gate = new object();
        AnalyseFiles(paths, jobs, range, keepSizes, (i, run) => runs[i] = run,
            n => { lock (gate) { done += n; framesDone?.Invoke(done); } }, cancellation);
        return runs;
    }

    /// <summary>
    /// Frames <see cref="AnalyseFiles"/> will read from <paramref name="paths"/> with <paramref name="range"/>;
    /// opens every file, so a damaged file or a range that does not fit a run is refused before any work.
    /// </summary>
    public static long TotalFrames(IReadOnlyList<string> paths, FrameRange? range)
    {
        long total = 0;
        foreach (var file in paths)
        {
            using var source = FrameSources.Open(file);
            var (a, b) = (range ?? FrameRange.All).Resolve(source.Count, $"--frames ({Path.GetFileName(file)})");
            total += b - a;
        }
        return total;
    }
}
