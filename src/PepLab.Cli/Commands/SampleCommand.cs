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
        var jobs = Option("--jobs", "Runs at once on this machine (default: the number of cores).", Environment.ProcessorCount, "-j");
        var level = Option("--compression", "Deflate level 0..9 of the frames.", TrajectoryFormat.DefaultCompressionLevel);
        var quiet = Flag("--quiet", "No progress output.", "-q");
        var progressFlag = Flag("--progress", "Show progress (the default; overrides --quiet).");
        var slurm = Flag("--slurm", "Do not run here: write a SLURM job-array script into DIR/slurm/ and submit it with sbatch.");
        var partition = PathOption("--partition", "SLURM partition for --slurm.");
        var time = PathOption("--time", "SLURM time limit per array task for --slurm (e.g. 02:00:00).");
        var account = PathOption("--account", "SLURM account for --slurm.");
        var arrayParallel = OptionalOption<int>("--array-parallel", "With --slurm: at most this many array tasks at once (--array=0-N%K).");
        var runsPerTask = Option("--runs-per-task", "With --slurm: runs per array task.", 1);
        var cpusPerTask = Option("--cpus-per-task", "With --slurm: cores per array task (its runs go in parallel).", 1);
        var dryRun = Flag("--dry-run", "With --slurm: write the script but do not submit it.");
        var wait = Flag("--wait", "With --slurm: wait until the whole array has finished (sbatch --wait).");
        var task = OptionalOption<int>("--task", "Run only the share of array task I (set by the SLURM script).");

        var cmd = new Command("sample",
            "Sample a grid of (density, P_t, replica) runs into a data-set folder: one trajectory file per run, manifest.csv, " +
            "in parallel on all cores, resumable, or as a SLURM job array. Defaults reproduce the original sampler.py " +
            "(128x128, speed 10, 500 warm-up, interval int(1/P_t), 1000 snapshots, five even tumbles).");
        foreach (var o in new Option[] { density, densities, tumbles, odd, replicas }) cmd.Options.Add(o);
        schedule.AddTo(cmd);
        foreach (var o in new Option[] { output, jobs, level, quiet, progressFlag, slurm, partition, time, account, arrayParallel, runsPerTask, cpusPerTask, dryRun, wait, task })
            cmd.Options.Add(o);

        cmd.SetAction(r => Guard("sample", () =>
        {
            string folder = r.GetValue(output)!;
            bool quietValue = r.GetValue(quiet) && !r.GetValue(progressFlag);
            var gridOptions = new Option[] { density, densities, tumbles, odd, replicas, level }.Concat(schedule.All);
            bool specGiven = gridOptions.Any(o => r.GetResult(o) is { Implicit: false });

            DataSet set;
            if (!specGiven && DataSet.IsDataSet(folder))
            {
                set = DataSet.Open(folder); // resume with the stored grid
            }
            else
            {
                bool Given(Option o) => r.GetResult(o) is { Implicit: false };
                if (Given(density) && Given(densities))
                    throw new PepLabInputException("--density", "give either --density or --densities, not both");
                if (Given(odd) && Given(tumbles))
                    throw new PepLabInputException("--odd", "give either --odd or --tumbles, not both");
                // Start from the stored grid when resuming (so only what is given is compared), else from the defaults.
                var spec = DataSet.IsDataSet(folder) ? DataSet.Open(folder).Spec : new SampleSpec
                {
                    Densities = [0.15], Tumbles = ParameterGrid.EvenTumbles(), BaseSeed = Seeds.Fresh(),
                };
                if (Given(densities)) spec = spec with { Densities = ParameterGrid.Parse(r.GetValue(densities)!, "--densities") };
                if (Given(density)) spec = spec with { Densities = [r.GetValue(density)!.Value] };
                if (Given(tumbles)) spec = spec with { Tumbles = ParameterGrid.Parse(r.GetValue(tumbles)!, "--tumbles") };
                if (Given(odd)) spec = spec with { Tumbles = ParameterGrid.OddTumbles() };
                if (Given(replicas)) spec = spec with { Replicas = r.GetValue(replicas) };
                if (Given(schedule.Nx)) spec = spec with { Nx = r.GetValue(schedule.Nx) };
                if (Given(schedule.Ny)) spec = spec with { Ny = r.GetValue(schedule.Ny) };
                if (Given(schedule.Speed)) spec = spec with { Speed = r.GetValue(schedule.Speed) };
                if (Given(schedule.Warmup)) spec = spec with { Warmup = r.GetValue(schedule.Warmup) };
                if (Given(schedule.Snapshots)) spec = spec with { Snapshots = r.GetValue(schedule.Snapshots) };
                if (Given(schedule.Interval)) spec = spec with { Interval = r.GetValue(schedule.Interval) };
                if (Given(schedule.Seed)) spec = spec with { BaseSeed = r.GetValue(schedule.Seed)!.Value };
                if (Given(level))
                {
                    int levelValue = r.GetValue(level);
                    if (levelValue is < 0 or > 9) throw new PepLabInputException("--compression", $"must be in 0..9 (got {levelValue})");
                    spec = spec with { CompressionLevel = levelValue };
                }
                set = DataSet.CreateOrResume(folder, spec);
            }

            if (r.GetValue(slurm))
            {
                var script = SlurmArray.WriteScript(set, new SlurmOptions
                {
                    RunsPerTask = r.GetValue(runsPerTask), ArrayParallel = r.GetValue(arrayParallel),
                    Partition = r.GetValue(partition), Time = r.GetValue(time), Account = r.GetValue(account),
                    CpusPerTask = r.GetValue(cpusPerTask),
                }, SlurmArray.CurrentPepCommand());
                int tasks = SlurmArray.TaskCount(set.Runs.Count, r.GetValue(runsPerTask));
                if (r.GetValue(dryRun))
                {
                    Console.WriteLine($"wrote {script} ({tasks} array tasks for {set.Runs.Count} runs); submit it with: sbatch {script}");
                    return Ok;
                }
                var id = SlurmArray.Submit(script, r.GetValue(wait));
                Console.WriteLine($"submitted job array {id}: {tasks} tasks for {set.Runs.Count} runs into {set.Folder} (script {script})");
                if (r.GetValue(wait)) return Report(set, quietValue);
                return Ok;
            }

            IReadOnlyCollection<int>? subset = r.GetValue(task) is { } t ? SlurmArray.RunsOfTask(t, r.GetValue(runsPerTask), set.Runs.Count) : null;
            int jobCount = r.GetValue(jobs);
            if (!quietValue)
                Console.Error.WriteLine($"pep sample: {set.Runs.Count} runs ({set.Spec.Densities.Length} densities x {set.Spec.Tumbles.Length} tumbles x {set.Spec.Replicas} replicas, " +
                                        $"{set.Spec.Nx}x{set.Spec.Ny}, {set.Spec.Snapshots} snapshots) into {set.Folder}, {jobCount} at once");
            double total = (subset is null ? set.Runs : set.Runs.Where(x => subset.Contains(x.Index))).Sum(x => x.Work);
            var result = Progress.Run(quietValue, "sample", total, "upd", report =>
                Sampler.Run(set, jobCount, subset, p => report(p.WorkDone), Cancellation));
            if (!quietValue || result.Failed.Count > 0)
            {
                Console.WriteLine($"{result.Completed} runs done, {result.Skipped} already complete, " +
                                  (result.Taken > 0 ? $"{result.Taken} done by another process, " : "") +
                                  $"{result.Failed.Count} failed, in {result.Seconds:0.0} s; manifest: {Path.Combine(set.Folder, DataSet.ManifestFile)}");
                foreach (var (run, error) in result.Failed) Console.Error.WriteLine($"pep sample: {run.File} failed: {error}");
            }
            return result.Failed.Count == 0 ? Ok : Failure;
        }));
        return cmd;
    }

    private static int Report(DataSet set, bool quiet)
    {
        var statuses = set.Runs.GroupBy(x => set.StatusOf(x)).ToDictionary(g => g.Key, g => g.Count());
        if (!quiet) Console.WriteLine("runs: " + string.Join(", ", statuses.Select(kv => $"{kv.Value} {kv.Key}")));
        return statuses.Keys.All(k => k == "complete") ? Ok : Failure;
    }
}
