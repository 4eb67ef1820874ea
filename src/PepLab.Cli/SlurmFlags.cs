using System.CommandLine;
using PepLab.Core;
using static PepLab.Cli.Cli;

namespace PepLab.Cli;

/// <summary>The options every <c>--slurm</c> command shares, with one meaning everywhere, and how their outcome is printed.</summary>
internal sealed class SlurmFlags
{
    public readonly Option<bool> Slurm;
    public readonly Option<string?> Partition = PathOption("--partition", "SLURM partition (needs --slurm).");
    public readonly Option<string?> Time = PathOption("--time", "SLURM time limit of each job or array task, e.g. 02:00:00 or 1-00:00:00 (needs --slurm). " +
                                                                "A job stopped by it keeps its finished work; submit the same command again to continue.");
    public readonly Option<string?> Account = PathOption("--account", "SLURM account to charge (needs --slurm).");
    public readonly Option<string?> Mem = PathOption("--mem", "Memory of each job, e.g. 4G (needs --slurm).");
    public readonly Option<string?> Qos = PathOption("--qos", "SLURM quality of service (needs --slurm).");
    public readonly Option<int?> CpusPerTask = OptionalOption<int>("--cpus-per-task", "Cores of each job or array task (needs --slurm; default 1, or --threads for trainings).");
    public readonly Option<int?> ArrayParallel = OptionalOption<int>("--array-parallel", "At most this many tasks of a job array at once, --array=...%K (needs --slurm).");
    public readonly Option<string[]> Sbatch = new("--sbatch")
    {
        Description = "Any other sbatch option for every job, e.g. --sbatch=--constraint=avx512 (repeatable; needs --slurm).",
        AllowMultipleArgumentsPerToken = false,
    };
    public readonly Option<string?> Setup = PathOption("--setup", "A shell line run before pep in every job script, e.g. \"module load dotnet\" (needs --slurm).");
    public readonly Option<bool> DryRun = Flag("--dry-run", "Write the job scripts (and an experiment's config they read) and print the sbatch commands that submit them; submit or sample nothing (needs --slurm).");
    public readonly Option<bool> Wait = Flag("--wait", "After submitting, wait until every job has ended, with a line whenever the queue changes (needs --slurm).");
    public readonly Option<string?> Gpus;
    public readonly Option<string?> Gres;

    /// <param name="what">What --slurm does in this command.</param>
    /// <param name="gpu">Whether the jobs may ask for GPUs (training).</param>
    public SlurmFlags(string what, bool gpu)
    {
        Slurm = Flag("--slurm", what);
        Gpus = gpu ? PathOption("--gpus", "GPUs of each training job, sbatch --gpus (e.g. 1 or a100:1; needs --slurm). A CUDA build of PepLab uses them with --device auto, the default.") : null!;
        Gres = gpu ? PathOption("--gres", "Generic resources of each training job, sbatch --gres (e.g. gpu:1; needs --slurm).") : null!;
    }

    private IEnumerable<Option> All =>
        new Option?[] { Slurm, Partition, Time, Account, Mem, Qos, CpusPerTask, ArrayParallel, Sbatch, Setup, DryRun, Wait, Gpus, Gres }.OfType<Option>();

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>True with --slurm; refuses the SLURM options without it.</summary>
    public bool On(ParseResult r)
    {
        Needs(r, Slurm, All.Where(o => o != Slurm).ToArray());
        return r.GetValue(Slurm);
    }

    /// <summary>The sbatch options typed (checked).</summary>
    public SlurmOptions Options(ParseResult r) => new SlurmOptions
    {
        Partition = r.GetValue(Partition), Time = r.GetValue(Time), Account = r.GetValue(Account), Mem = r.GetValue(Mem), Qos = r.GetValue(Qos),
        CpusPerTask = r.GetValue(CpusPerTask), ArrayParallel = r.GetValue(ArrayParallel), Extra = r.GetValue(Sbatch) ?? [],
        Setup = r.GetValue(Setup), Gpus = Gpus is null ? null : r.GetValue(Gpus), Gres = Gres is null ? null : r.GetValue(Gres),
    }.Validate();

    /// <summary>The command line as typed without the SLURM options (and <paramref name="drop"/>): what a job runs.</summary>
    public IReadOnlyList<string> JobArguments(params Option[] drop)
    {
        var dropped = All.Concat(drop).ToList();
        var names = dropped.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
        var flags = dropped.Where(o => o.ValueType == typeof(bool)).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
        var kept = new List<string>();
        for (int i = 0; i < Arguments.Count; i++)
        {
            string a = Arguments[i];
            string head = a.Split('=')[0];
            if (!names.Contains(head)) kept.Add(a);
            else if (!a.Contains('=') && !flags.Contains(head)) i++; // skip its value
        }
        return kept;
    }

    /// <summary>
    /// Submits one job that runs this command line again without its SLURM options, plus
    /// <paramref name="more"/> (e.g. --resume): writes its script into FOLDER/slurm/, prints, waits
    /// with --wait and then says whether <paramref name="finished"/>.
    /// </summary>
    public int SubmitOne(ParseResult r, string command, string folder, IEnumerable<string> more, Func<string, SlurmStage> stageOf, Func<bool> finished)
    {
        var campaign = new SlurmCampaign(folder, Options(r));
        var stage = stageOf(JobCommand(more));
        bool dry = r.GetValue(DryRun);
        if (!dry) campaign.RefuseWhileQueued();
        var scripts = campaign.WriteScripts([stage]);
        var jobs = Report(r, command, scripts, campaign.SubmitCommands([stage]), dry ? [] : campaign.Submit([stage]), folder);
        if (!r.GetValue(Wait) || jobs.Count == 0 || finished()) return Ok;
        Error(command, $"the job ended without finishing; read its log in {Path.Combine(campaign.ScriptFolder, SlurmCampaign.LogsFolder)}, then submit the same command again");
        return Failure;
    }

    /// <summary><c>exec pep ARGS</c>: this command line as a job runs it, without the SLURM options and <paramref name="drop"/>, then <paramref name="more"/>.</summary>
    public string JobCommand(IEnumerable<string> more, params Option[] drop) =>
        $"exec {SlurmCampaign.CurrentPepCommand()} {string.Join(' ', JobArguments(drop).Concat(more).Select(Provenance.ShellQuote))}";

    /// <summary>Prints what a submission (or dry run) did, waits with --wait; returns the jobs submitted.</summary>
    public IReadOnlyList<SlurmJobRecord> Report(ParseResult r, string command, IReadOnlyList<string> scripts, IReadOnlyList<string> submitCommands,
        IReadOnlyList<SlurmJobRecord> jobs, string folder)
    {
        if (r.GetValue(DryRun))
        {
            Console.WriteLine($"wrote {scripts.Count} job script(s) into {Path.GetDirectoryName(scripts[0])}; nothing submitted. To submit them:");
            foreach (var line in submitCommands) Console.WriteLine(line);
            if (submitCommands.Count == 0) Console.WriteLine("# nothing left to do");
            return jobs;
        }
        if (jobs.Count == 0) Console.WriteLine($"nothing to submit: everything in {folder} is done");
        foreach (var job in jobs)
            Console.WriteLine($"submitted {job.Stage} job {job.Id}{(job.Tasks is { } t ? $" (array tasks {t})" : "")}, log {job.Log}");
        if (jobs.Count > 0) Console.WriteLine($"follow it with: pep status {folder}");
        if (r.GetValue(Wait) && jobs.Count > 0)
        {
            OnInterrupt(() => $"stopped waiting; the jobs keep running (pep status {folder}, or scancel {string.Join(' ', jobs.Select(j => j.Id))})");
            SlurmCampaign.Wait(jobs, line => Console.Error.WriteLine($"pep {command}: slurm: {line}"), Cancellation);
        }
        return jobs;
    }
}
