using System.CommandLine;
using PepLab.Core;
using PepLab.Simulate;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep simulate</c>: one run into one trajectory file.</summary>
internal static class SimulateCommand
{
    /// <summary>The run options every command that runs the simulator shares (simulate, sample): all but density and P_t.</summary>
    internal sealed class ScheduleOptions
    {
        public readonly Option<int> Nx = Option("--nx", "Lattice rows (>= 2).", RunParameters.DefaultSide);
        public readonly Option<int> Ny = Option("--ny", "Lattice columns (>= 2).", RunParameters.DefaultSide);
        public readonly Option<int> Speed = Option("--speed", "Sweeps per iteration (>= 1).", RunParameters.DefaultSpeed);
        public readonly Option<int> Warmup = Option("--warmup", "Warm-up iterations before the first snapshot (>= 0).", RunParameters.DefaultWarmup);
        public readonly Option<int> Snapshots = Option("--snapshots", "Snapshots to keep (>= 1).", RunParameters.DefaultSnapshots, "-n");
        public readonly Option<int?> Interval = OptionalOption<int>("--interval", "Iterations between snapshots (>= 1); default int(1/P_t), required when P_t = 0.");
        public readonly Option<ulong?> Seed = OptionalOption<ulong>("--seed", "Seed of the random generator; default: a fresh one, printed and stored in the output.");

        public IEnumerable<Option> All => [Nx, Ny, Speed, Warmup, Snapshots, Interval, Seed];

        public void AddTo(Command c)
        {
            foreach (var o in All) c.Options.Add(o);
        }
    }

    internal sealed class RunOptions
    {
        public readonly Option<double> Density = Option("--density", "Particle density in (0, 1]; N = int(density * nx * ny).", 0.15, "-d");
        public readonly Option<double> Tumble = Option("--tumble", "Tumbling probability P_t in [0, 1] per particle update.", RunParameters.DefaultTumble, "-t");
        public readonly ScheduleOptions Schedule = new();

        public void AddTo(Command c)
        {
            c.Options.Add(Density);
            c.Options.Add(Tumble);
            Schedule.AddTo(c);
        }

        public RunParameters Read(ParseResult r, ulong seed) => new()
        {
            Density = r.GetValue(Density),
            Tumble = r.GetValue(Tumble),
            Nx = r.GetValue(Schedule.Nx),
            Ny = r.GetValue(Schedule.Ny),
            Speed = r.GetValue(Schedule.Speed),
            Warmup = r.GetValue(Schedule.Warmup),
            Snapshots = r.GetValue(Schedule.Snapshots),
            Interval = r.GetValue(Schedule.Interval),
            Seed = seed,
        };
    }

    public static Command Build()
    {
        var run = new RunOptions();
        var output = PathOption("--out", "Trajectory file to write (HDF5). Default: pep_d{density}_t{tumble}_s{seed}.h5 in the current folder.", "-o");
        var overwrite = OverwriteOption("the output file");
        var init = PathOption("--init", "Start from a snapshot of this trajectory file instead of a random configuration (continues a run; nx, ny and the particles come from it, so --nx, --ny and --density are refused with it).");
        var initFrame = Option("--init-frame", "Which frame of --init to start from (negative counts from the end; needs --init).", -1);
        var quiet = QuietOption();
        var progressFlag = Flag("--progress", "Show progress (the default; overrides --quiet).");
        var level = Option("--compression", "Deflate level 0..9 of the frames.", TrajectoryFormat.DefaultCompressionLevel);

        var cmd = new Command("simulate", "Simulate one PEP run and write its snapshots to a trajectory file (HDF5, readable by h5py).");
        run.AddTo(cmd);
        foreach (var o in new Option[] { output, overwrite, init, initFrame, level, quiet, progressFlag }) cmd.Options.Add(o);

        cmd.SetAction(r => Guard("simulate", () =>
        {
            foreach (var o in new Option[] { run.Schedule.Nx, run.Schedule.Ny, run.Density }) Conflict(r, init, o);
            Needs(r, init, initFrame);
            ulong seed = r.GetValue(run.Schedule.Seed) ?? Seeds.Fresh();
            var p = run.Read(r, seed);
            ReadOnlyMemory<byte>? start = null;
            if (r.GetValue(init) is { } initPath)
            {
                if (new[] { "--nx", "--ny", "--density", "-d" }.FirstOrDefault(HasArgument) is { } conflict)
                    throw new PepLabInputException(conflict, "cannot be given with --init (the lattice and the particles come from its frame)");
                using var source = FrameSources.Open(initPath);
                var frame = source.ReadFrame(r.GetValue(initFrame));
                int n = 0;
                foreach (var v in frame) if (v != 0) n++;
                p = p with { Nx = source.Info.Nx, Ny = source.Info.Ny, Density = (double)n / (source.Info.Nx * source.Info.Ny) };
                start = frame;
            }
            p.Validate();
            int levelValue = r.GetValue(level);
            if (levelValue is < 0 or > 9) throw new PepLabInputException("--compression", $"must be in 0..9 (got {levelValue})");
            string path = CheckOutputFile("--out", r.GetValue(output) ?? $"pep_d{Num(p.Density)}_t{Num(p.Tumble)}_s{seed}.h5", r.GetValue(overwrite));
            bool quietValue = r.GetValue(quiet) && !r.GetValue(progressFlag);
            long total = p.Warmup + (long)(p.Snapshots - 1) * p.EffectiveInterval + 1;
            if (!quietValue)
                Console.Error.WriteLine($"pep simulate: {p.Nx}x{p.Ny}, N = {p.Particles}, P_t = {Num(p.Tumble)}, speed {p.Speed}, " +
                                        $"{p.Warmup} warm-up + {p.Snapshots} snapshots every {p.EffectiveInterval} iterations, seed {seed}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var info = Progress.Run(quietValue, "simulate", total, "it", report =>
                Recorder.Record(p, path, r.GetValue(overwrite), start, pr => report(pr.IterationsDone), Cancellation, levelValue));
            var bytes = new FileInfo(Path.GetFullPath(path)).Length;
            Console.WriteLine($"wrote {path}: {info.Frames} frames of {info.Nx}x{info.Ny}, {bytes / 1024.0:0.0} KiB " +
                              $"({bytes / 1024.0 / info.Frames:0.00} KiB/frame), {clock.Elapsed.TotalSeconds:0.0} s, " +
                              $"{Progress.Human(p.TotalUpdates / clock.Elapsed.TotalSeconds)} updates/s");
            return Ok;
        }));
        return cmd;
    }
}
