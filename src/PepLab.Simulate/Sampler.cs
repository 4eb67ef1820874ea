using System.Diagnostics;
using PepLab.Core;
using PepLab.Store;

namespace PepLab.Simulate;

/// <summary>Progress of a sweep: work in particle updates, and runs/snapshots done.</summary>
public readonly record struct SweepProgress(double WorkDone, double WorkTotal, int RunsDone, int RunsTotal, long SnapshotsDone);

/// <summary>The outcome of a sweep.</summary>
/// <param name="Planned">Runs in the sweep's scope.</param>
/// <param name="Skipped">Runs already complete when the sweep started.</param>
/// <param name="Completed">Runs this sweep simulated and wrote.</param>
/// <param name="Failed">Runs whose attempt failed, with the reason.</param>
/// <param name="Seconds">Wall time of the sweep.</param>
/// <param name="Taken">Runs left to another process: being written by it, or completed by it during this sweep.</param>
public sealed record SweepResult(int Planned, int Skipped, int Completed, IReadOnlyList<(PlannedRun Run, string Error)> Failed, double Seconds,
    int Taken = 0);

/// <summary>A sweep's outcome as <c>pep sample --json</c> prints it: counts, failures by file, seconds, the data-set folder.</summary>
public sealed record SweepSummary(string Folder, string Manifest, int Planned, int Completed, int Skipped, int Taken, int FailedCount,
    IReadOnlyList<SweepFailure> Failed, double Seconds)
{
    public static SweepSummary Of(SweepResult result, DataSet set) => new(set.Folder, Path.Combine(set.Folder, DataSet.ManifestFile),
        result.Planned, result.Completed, result.Skipped, result.Taken, result.Failed.Count,
        result.Failed.Select(f => new SweepFailure(f.Run.File, f.Error)).ToList(), result.Seconds);
}

/// <summary>A run a sweep could not write, and why.</summary>
public sealed record SweepFailure(string File, string Error);

/// <summary>
/// Runs the runs of a <see cref="DataSet"/> that are not complete yet, in parallel on
/// <c>jobs</c> threads (longest first, so the longest run starts at once and bounds the wall time).
/// Complete files are skipped, so re-running resumes; a cancelled or failed run leaves no file
/// that looks complete.
/// <para>
/// Several processes may fill one data set at once (two <c>pep sample</c> on one folder, SLURM array
/// tasks): a run's file is claimed by the lock of its <see cref="AtomicFile"/>, so a run another
/// process is writing, or has completed since the sweep started, is left to it (counted as
/// <see cref="SweepResult.Taken"/>). Every run is then simulated once, and the files are those
/// of a single sweep.
/// </para>
/// </summary>
public static class Sampler
{
    /// <param name="set">The data set.</param>
    /// <param name="jobs">Runs at once (each uses one core, plus a light compression thread).</param>
    /// <param name="subset">Only these run indices (a SLURM task's share); null = all.</param>
    /// <param name="progress">Called from worker threads as work progresses.</param>
    /// <param name="cancellation">Stops all runs; their partial files are removed.</param>
    public static SweepResult Run(DataSet set, int jobs, IReadOnlyCollection<int>? subset = null,
        Action<SweepProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (jobs < 1) throw new PepLabInputException("jobs", $"must be at least 1 (got {jobs})");
        var clock = Stopwatch.StartNew();
        // Temporaries a killed sweep left behind; a live writer's (another task's) stays locked and is kept.
        AtomicFile.RemoveAbandoned(set.Folder);
        var scope = set.Runs.Where(r => subset is null || subset.Contains(r.Index)).ToList();
        var todo = scope.Where(run => !(File.Exists(set.PathOf(run)) && set.IsComplete(run))).ToList();
        todo.Sort((a, b) => b.Work.CompareTo(a.Work));
        var sweep = new Sweep(set, todo, progress, cancellation);
        try
        {
            sweep.Execute(jobs);
        }
        finally
        {
            set.WriteManifest();
        }
        return new SweepResult(scope.Count, scope.Count - todo.Count, sweep.Completed, sweep.Failed, clock.Elapsed.TotalSeconds, sweep.Taken);
    }

    /// <summary>The runs left to do, the worker threads that do them, and what they have done so far.</summary>
    private sealed class Sweep(DataSet set, List<PlannedRun> todo, Action<SweepProgress>? progress, CancellationToken cancellation)
    {
        private readonly object _gate = new();
        private readonly double _totalWork = todo.Sum(r => r.Work);
        private double _doneWork;
        private int _runsDone;
        private long _snapshots;
        private int _next = -1;
        private int _completed;
        private int _taken;
        private Exception? _cancelled;

        public int Completed => _completed;
        public int Taken => _taken;
        public List<(PlannedRun Run, string Error)> Failed { get; } = [];

        /// <summary>
        /// Runs every run on dedicated threads that take runs in list order. The first (longest) run
        /// bounds the wall time, so it keeps normal priority; every other run is lowered (with its
        /// writer thread, which inherits the value) and fills the cores around it without ever taking
        /// its core.
        /// </summary>
        public void Execute(int jobs)
        {
            var threads = Enumerable.Range(0, Math.Min(jobs, Math.Max(1, todo.Count)))
                .Select(i => new Thread(Work) { IsBackground = true, Name = $"PepLab sweep worker {i}" })
                .ToList();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
            cancellation.ThrowIfCancellationRequested();
            if (_cancelled is not null) throw _cancelled;
        }

        private void Work()
        {
            bool lowered = false;
            while (!cancellation.IsCancellationRequested)
            {
                int k = Interlocked.Increment(ref _next);
                if (k >= todo.Count) return;
                if (k > 0 && !lowered) lowered = ThreadPriorities.LowerCurrentThread(BackgroundNice);
                try
                {
                    RunOne(todo[k]);
                }
                catch (OperationCanceledException e)
                {
                    Interlocked.CompareExchange(ref _cancelled, e, null);
                    return;
                }
            }
        }

        /// <summary>Simulates one run into its file (unless another process has it) and records the outcome in the manifest.</summary>
        private void RunOne(PlannedRun run)
        {
            var path = set.PathOf(run);
            var runClock = Stopwatch.StartNew();
            try
            {
                Provenance? provenance;
                using (var writer = Claim(set, run))
                {
                    if (writer is null)
                    {
                        Interlocked.Increment(ref _taken);
                        Report(run.Work, 1, 0);
                        return;
                    }
                    Recorder.Finish(writer, run.Parameters, progress: RunProgressReporter(run), cancellation: cancellation);
                    provenance = writer.Info.Provenance;
                }
                set.Record(run, new DataSet.RunRecord("complete", runClock.Elapsed.TotalSeconds,
                    new FileInfo(path).Length, null, Environment.MachineName, DateTime.UtcNow, provenance));
                Interlocked.Increment(ref _completed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                set.Record(run, new DataSet.RunRecord("failed", runClock.Elapsed.TotalSeconds, null,
                    e.Message, Environment.MachineName, DateTime.UtcNow));
                lock (_gate) Failed.Add((run, e.Message));
            }
            Report(0, 1, 0);
            set.WriteManifest();
        }

        /// <summary>Turns one run's progress (iterations and snapshots so far) into increments of the sweep's.</summary>
        private Action<RunProgress> RunProgressReporter(PlannedRun run)
        {
            double perIteration = (double)run.Parameters.Speed * run.Parameters.Particles;
            long lastIterations = 0;
            int lastSnapshots = 0;
            return rp =>
            {
                Report((rp.IterationsDone - lastIterations) * perIteration, 0, rp.SnapshotsDone - lastSnapshots);
                lastIterations = rp.IterationsDone;
                lastSnapshots = rp.SnapshotsDone;
            };
        }

        private void Report(double extraWork, int extraRuns, long extraSnapshots)
        {
            SweepProgress p;
            lock (_gate)
            {
                _doneWork += extraWork;
                _runsDone += extraRuns;
                _snapshots += extraSnapshots;
                p = new SweepProgress(_doneWork, _totalWork, _runsDone, todo.Count, _snapshots);
            }
            progress?.Invoke(p);
        }
    }

    /// <summary>
    /// Opens the file of <paramref name="run"/> for this process, or returns null when another process
    /// writes it now or completed it after this sweep looked (checked while holding the file's lock,
    /// so a run is never simulated twice).
    /// </summary>
    private static TrajectoryWriter? Claim(DataSet set, PlannedRun run)
    {
        TrajectoryWriter writer;
        try
        {
            writer = Recorder.Begin(run.Parameters, set.PathOf(run), overwrite: true, compressionLevel: set.Spec.CompressionLevel);
        }
        catch (OutputBusyException)
        {
            return null;
        }
        if (!set.IsComplete(run)) return writer;
        writer.Dispose();
        return null;
    }

    /// <summary>Nice value of every run but the longest (see <see cref="Run"/>).</summary>
    private const int BackgroundNice = 10;
}
