using System.CommandLine;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep sample</c>: a grid of runs into a data-set folder, on all cores or as a SLURM job array.</summary>
internal static class SampleCommand
{
    public static Command Build()
    {
        var density = OptionalOption<double>("--density", "One density (the original sampler's --density). Default 0.15 unless --densities is given.", "-d");
        var densities = PathOption("--densities", "Densities: a list (0.1,0.2) or START:STOP:STEP, stop included (0.05:0.5:0.05).");
        var tumbles = PathOption("--tumbles", "Tumbling probabilities: a list, START:STOP:STEP, or log2:A:B:N = logspace(A, B, N, base=2). " +
                                             "Default: the original's even set of logspace(-6, -1, 10, base=2).");
        var odd = Flag("--odd", "Use the original's odd set of tumbles (indices 1, 3, 5, 7, 9) instead of the even one.");
        var replicas = Option("--replicas", "Independent runs (seeds) per (density, P_t).", 1, "-r");
        var schedule = new SimulateCommand.ScheduleOptions();
        var output = Option("--out", "Data-set folder (created; re-running the same command resumes it).", "data", "-o");
        var jobs = JobsOption("Runs on this machine");
        var level = Option("--compression", "Deflate level 0..9 of the frames.", TrajectoryFormat.DefaultCompressionLevel);
        var quiet = QuietOption();
        var progressFlag = Flag("--progress", "Show progress (the default; overrides --quiet).");
        var json = Output.JsonOption();
        var slurm = new SlurmFlags("Do not run here: write a SLURM job-array script into DIR/slurm/ and submit it with sbatch; " +
                                   "the same command again submits only the array tasks whose runs are missing.", gpu: false);
        var runsPerTask = Option("--runs-per-task", "Runs per array task (with --slurm or --task).", 1);
        var task = OptionalOption<int>("--task", "Run only the share of array task I (set by the SLURM script; not with --slurm).");

        var cmd = new Command("sample",
            "Sample a grid of (density, P_t, replica) runs into a data-set folder: one trajectory file per run, manifest.csv, " +
            "in parallel on all cores, resumable, or as a SLURM job array. Defaults reproduce the original sampler.py " +
            "(128x128, speed 10, 500 warm-up, interval int(1/P_t), 1000 snapshots, five even tumbles).");
        foreach (var o in new Option[] { density, densities, tumbles, odd, replicas }) cmd.Options.Add(o);
        schedule.AddTo(cmd);
        foreach (var o in new Option[] { output, jobs, level, quiet, progressFlag, json, runsPerTask, task }) cmd.Options.Add(o);
        slurm.AddTo(cmd);

        cmd.SetAction(r => Guard("sample", () =>
        {
            // Every option is checked before the data set is created or touched.
            string folder = CheckOutputFolder("--out", r.GetValue(output)!, overwrite: true); // resuming: existing runs are kept
            bool quietValue = r.GetValue(quiet) && !r.GetValue(progressFlag);
            bool onSlurm = slurm.On(r);
            Conflict(r, task, slurm.Slurm);
            Conflict(r, density, densities);
            Conflict(r, odd, tumbles);
            int jobCount = Jobs(r, jobs);
            int perTask = r.GetValue(runsPerTask);
            if (perTask < 1) throw new PepLabInputException("runsPerTask", $"must be at least 1 (got {perTask})");
            var slurmOptions = onSlurm ? slurm.Options(r) : null;
            var changes = Changes(r, density, densities, tumbles, odd, replicas, level, schedule);
            bool exists = DataSet.IsDataSet(folder);
            var spec = changes.IsEmpty && exists ? DataSet.Open(folder).Spec : SampleSpec.Merge(exists ? DataSet.Open(folder).Spec : null, changes);
            int runCount = spec.Plan().Count;
            IReadOnlyCollection<int>? subset = r.GetValue(task) is { } t ? SlurmArray.RunsOfTask(t, perTask, runCount) : null;
            if (slurmOptions is not null)
            {
                // The job script carries the grid as typed: a dry run creates the script only, and the first task the data set.
                var campaign = new SlurmCampaign(folder, slurmOptions);
                if (!r.GetValue(slurm.DryRun)) campaign.RefuseWhileQueued();
                var stages = new[] { SlurmArray.Stage(folder, spec, perTask, slurm.JobCommand(["--out", folder], output, runsPerTask, jobs, quiet, progressFlag)) };
                var scripts = campaign.WriteScripts(stages);
                var submitted = slurm.Report(r, "sample", scripts, campaign.SubmitCommands(stages), r.GetValue(slurm.DryRun) ? [] : campaign.Submit(stages), folder);
                return r.GetValue(slurm.Wait) && submitted.Count > 0 ? Report(DataSet.Open(folder), quietValue) : Ok;
            }

            var set = DataSet.CreateOrResume(folder, spec);
            if (!quietValue)
                Console.Error.WriteLine($"pep sample: {set.Runs.Count} runs ({set.Spec.Densities.Length} densities x {set.Spec.Tumbles.Length} tumbles x {set.Spec.Replicas} replicas, " +
                                        $"{set.Spec.Nx}x{set.Spec.Ny}, {set.Spec.Snapshots} snapshots) into {set.Folder}, {jobCount} at once");
            OnInterrupt(() => $"kept {set.Runs.Count(x => File.Exists(set.PathOf(x)))} of {set.Runs.Count} runs in {set.Folder}; " +
                              $"the same command (or pep sample --out {set.Folder}) continues with the rest");
            double total = (subset is null ? set.Runs : set.Runs.Where(x => subset.Contains(x.Index))).Sum(x => x.Work);
            var result = Progress.Run(quietValue, "sample", total, "upd", report =>
                Sampler.Run(set, jobCount, subset, p => report(p.WorkDone), Cancellation));
            if (r.GetValue(json)) Output.Json("sample", SweepSummary.Of(result, set));
            else if (!quietValue || result.Failed.Count > 0)
            {
                Console.WriteLine($"{result.Completed} runs done, {result.Skipped} already complete, " +
                                  (result.Taken > 0 ? $"{result.Taken} done by another process, " : "") +
                                  $"{result.Failed.Count} failed, in {result.Seconds:0.0} s; manifest: {Path.Combine(set.Folder, DataSet.ManifestFile)}");
            }
            foreach (var (run, error) in result.Failed) Console.Error.WriteLine($"pep sample: {run.File} failed: {error}");
            return result.Failed.Count == 0 ? Ok : Failure;
        }));
        return cmd;
    }

    /// <summary>The grid and run options the user typed (the rest keep the stored or default values).</summary>
    private static SampleSpecChanges Changes(ParseResult r, Option<double?> density, Option<string?> densities, Option<string?> tumbles,
        Option<bool> odd, Option<int> replicas, Option<int> level, SimulateCommand.ScheduleOptions schedule)
    {
        T? If<T>(Option o, Func<T> value) where T : struct => Given(r, o) ? value() : null;
        return new SampleSpecChanges
        {
            Densities = Given(r, densities) ? ParameterGrid.Parse(r.GetValue(densities)!, "--densities")
                : Given(r, density) ? [r.GetValue(density)!.Value] : null,
            Tumbles = Given(r, tumbles) ? ParameterGrid.Parse(r.GetValue(tumbles)!, "--tumbles")
                : Given(r, odd) ? ParameterGrid.OddTumbles() : null,
            Replicas = If(replicas, () => r.GetValue(replicas)),
            Nx = If(schedule.Nx, () => r.GetValue(schedule.Nx)),
            Ny = If(schedule.Ny, () => r.GetValue(schedule.Ny)),
            Speed = If(schedule.Speed, () => r.GetValue(schedule.Speed)),
            Warmup = If(schedule.Warmup, () => r.GetValue(schedule.Warmup)),
            Snapshots = If(schedule.Snapshots, () => r.GetValue(schedule.Snapshots)),
            Interval = r.GetValue(schedule.Interval),
            BaseSeed = r.GetValue(schedule.Seed),
            CompressionLevel = If(level, () => r.GetValue(level)),
        };
    }

    private static int Report(DataSet set, bool quiet)
    {
        var statuses = set.Runs.GroupBy(x => set.StatusOf(x)).ToDictionary(g => g.Key, g => g.Count());
        if (!quiet) Console.WriteLine("runs: " + string.Join(", ", statuses.Select(kv => $"{kv.Value} {kv.Key}")));
        return statuses.Keys.All(k => k == "complete") ? Ok : Failure;
    }
}
