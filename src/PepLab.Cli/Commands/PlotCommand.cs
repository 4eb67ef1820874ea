using System.CommandLine;
using PepLab.Analyse;
using PepLab.Core;
using PepLab.Report;
using PepLab.Store;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep plot</c>: figures of runs and data sets (PNG; GIF for animations).</summary>
internal static class PlotCommand
{
    /// <summary>Options every figure shares.</summary>
    private sealed class Common
    {
        public readonly Option<string?> Out;
        public readonly Option<int?> Width = OptionalOption<int>("--width", "Image width in pixels (default: sized for the figure).");
        public readonly Option<int?> Height = OptionalOption<int>("--height", "Image height in pixels (default: sized for the figure).");
        public readonly Option<bool> Quiet = QuietOption();
        public readonly Option<bool> Overwrite = OverwriteOption("--out");

        public Common(string defaultOut)
        {
            Out = PathOption("--out", $"File to write. Default: {defaultOut}.", "-o");
            Out.HelpName = "FILE";
            Width.HelpName = "PIXELS";
            Height.HelpName = "PIXELS";
        }

        public void AddTo(Command c)
        {
            c.Options.Add(Out);
            c.Options.Add(Width);
            c.Options.Add(Height);
            c.Options.Add(Quiet);
            c.Options.Add(Overwrite);
        }

        /// <summary>The figure's file, checked (extension, existing file, writable folder) before any work.</summary>
        public string OutPath(ParseResult r, IReadOnlyList<string> paths, string suffix, string extension = "png")
        {
            string path = r.GetValue(Out) ?? PlotInputs.DefaultOutput(paths, suffix, extension);
            PlotInputs.CheckExtension(path, extension);
            if (r.GetValue(Width) is { } w) Figure.CheckSize(w, r.GetValue(Height) ?? w);
            if (r.GetValue(Height) is { } h) Figure.CheckSize(r.GetValue(Width) ?? h, h);
            return CheckOutputFile("--out", path, r.GetValue(Overwrite));
        }
    }

    /// <summary>Site-colour options of snapshot, grid and animate.</summary>
    private sealed class StyleOptions
    {
        public readonly Option<string> Colour = Option("--colour", "Colour particles by 'orientation' (up, right, down, left) or by 'clusters' (each cluster of 2 or more one colour, lone particles grey).", "orientation", "--color");
        public readonly Option<bool> Outline = Flag("--outline", "Draw a white line around every cluster (periodic 4-neighbour clusters).");
        public readonly Option<int> OutlineMin = Option("--outline-min", "Smallest cluster (particles) that gets an outline.", 2);

        public StyleOptions()
        {
            Colour.HelpName = "orientation|clusters";
            OutlineMin.HelpName = "N";
        }

        public void AddTo(Command c)
        {
            c.Options.Add(Colour);
            c.Options.Add(Outline);
            c.Options.Add(OutlineMin);
        }

        public SnapshotStyle Read(ParseResult r) => SnapshotStyle.Parse(r.GetValue(Colour)!, r.GetValue(Outline), r.GetValue(OutlineMin));
    }

    /// <summary>Run selection of the multi-run figures.</summary>
    private sealed class Selection
    {
        public readonly Argument<string[]> Paths = new("PATH")
        {
            Description = "Trajectory files (PepLab or original layout), data-set folders (their complete runs) or folders of .h5 files.",
            Arity = ArgumentArity.OneOrMore,
        };
        public readonly Option<string?> Tumbles = SelectOption("tumbles", "P_t");
        public readonly Option<string?> Densities = SelectOption("densities", "densities");

        public void AddTo(Command c)
        {
            c.Arguments.Add(Paths);
            c.Options.Add(Tumbles);
            c.Options.Add(Densities);
        }

        public IReadOnlyList<string> Files(ParseResult r) =>
            PlotInputs.Files(r.GetValue(Paths)!, new RunFilter(Select(r, Densities), Select(r, Tumbles)));
    }

    public static Command Build()
    {
        var cmd = new Command("plot",
            "Figures of runs and data sets, written as PNG (animate: GIF). Every PATH may be a PepLab trajectory, an " +
            "original-layout file (conf_* datasets), a data-set folder made by 'pep sample', or a folder of .h5 files.");
        cmd.Subcommands.Add(Snapshot());
        cmd.Subcommands.Add(Grid());
        cmd.Subcommands.Add(TimeSeries());
        cmd.Subcommands.Add(Sizes());
        cmd.Subcommands.Add(Largest());
        cmd.Subcommands.Add(Animate());
        return cmd;
    }

    private static Command Snapshot()
    {
        var path = new Argument<string>("RUN") { Description = "A trajectory file (PepLab or original layout)." };
        var frame = Option("--frame", "Frame to draw (negative counts from the end: -1 is the last).", -1);
        frame.HelpName = "INDEX";
        var style = new StyleOptions();
        var common = new Common("RUN.snapshot.png next to RUN");
        var cmd = new Command("snapshot", "One frame of a run: particles coloured by orientation (or by cluster) on dark empty sites, with a legend.");
        cmd.Arguments.Add(path);
        cmd.Options.Add(frame);
        style.AddTo(cmd);
        common.AddTo(cmd);
        cmd.SetAction(r => Guard("plot snapshot", () =>
        {
            string run = r.GetValue(path)!;
            var s = style.Read(r);
            string output = common.OutPath(r, [run], "snapshot");
            using var source = FrameSources.Open(run);
            var figure = SnapshotFigure.FromSource(source, r.GetValue(frame), s, r.GetValue(common.Width) ?? SnapshotFigure.Width, r.GetValue(common.Height) ?? SnapshotFigure.Height);
            figure.SavePng(output);
            Console.WriteLine($"wrote {output}: {figure.Particles} particles" + (figure.Clusters >= 0 ? $", {figure.Clusters} clusters" : ""));
            return Ok;
        }));
        return cmd;
    }

    private static Command Grid()
    {
        var selection = new Selection();
        var frame = Option("--frame", "Frame of each run to draw (negative counts from the end: -1 is the last).", -1);
        frame.HelpName = "INDEX";
        var style = new StyleOptions();
        var common = new Common("grid.png inside the folder (or next to the file)");
        var cmd = new Command("grid",
            "The last frame (or --frame) of every run side by side: P_t increasing to the right, density downwards " +
            "(the first run found for each pair; replicas after it are skipped).");
        selection.AddTo(cmd);
        cmd.Options.Add(frame);
        style.AddTo(cmd);
        common.AddTo(cmd);
        cmd.SetAction(r => Guard("plot grid", () =>
        {
            var s = style.Read(r);
            string output = common.OutPath(r, r.GetValue(selection.Paths)!, "grid");
            var files = selection.Files(r);
            int index = r.GetValue(frame);
            var cells = Progress.Run(r.GetValue(common.Quiet), "grid", files.Count, "files", report =>
            {
                int done = 0;
                return GridFigure.Load(files, index, n => report(done += n));
            });
            var lattices = cells.Select(c => c.Lattice.ToString()).Distinct().ToList();
            string which = index == -1 ? "Last frame" : $"Frame {index}";
            var figure = GridFigure.Build(cells, s, $"{which} of each run ({string.Join(", ", lattices)})", r.GetValue(common.Width), r.GetValue(common.Height));
            figure.SavePng(output);
            Console.WriteLine($"wrote {output}: {figure.Densities.Length} densities x {figure.Tumbles.Length} P_t from {files.Count} files");
            return Ok;
        }));
        return cmd;
    }

    private static IReadOnlyList<RunSeries> Analyse(IReadOnlyList<string> files, FrameRange? range, bool keepSizes, bool quiet) =>
        Progress.Run(quiet, "analyse", RunAnalysis.TotalFrames(files, range), "frames", report =>
            RunAnalysis.AnalyseAll(files, Environment.ProcessorCount, range, keepSizes, n => report(n), Cancellation));

    private static Command TimeSeries()
    {
        var selection = new Selection();
        var stat = ClustersCommand.StatOption("to draw");
        var frames = FramesOption();
        var noSteady = Flag("--no-steady", "Do not mark t0 and the steady mean ± sd band.");
        var common = new Common("RUN.timeseries.png next to a single RUN, else timeseries.png in the folder or current folder");
        var cmd = new Command("timeseries",
            "A cluster statistic against iteration, one curve per run, with each run's t0 (Chodera's method, as pymbar's " +
            "detectEquilibration) as a dashed line and its steady mean ± sd as a band.");
        selection.AddTo(cmd);
        cmd.Options.Add(stat);
        cmd.Options.Add(frames);
        cmd.Options.Add(noSteady);
        common.AddTo(cmd);
        cmd.SetAction(r => Guard("plot timeseries", () =>
        {
            var statistic = FrameStatisticNames.Parse(r.GetValue(stat)!);
            var range = Frames(r, frames);
            string output = common.OutPath(r, r.GetValue(selection.Paths)!, "timeseries");
            var files = selection.Files(r);
            var runs = Analyse(files, range, keepSizes: false, r.GetValue(common.Quiet));
            var figure = TimeSeriesFigure.FromRuns(runs, statistic, !r.GetValue(noSteady),
                r.GetValue(common.Width) ?? TimeSeriesFigure.Width, r.GetValue(common.Height) ?? TimeSeriesFigure.Height);
            figure.SavePng(output);
            Console.WriteLine($"wrote {output}: {statistic.Name()} of {runs.Count} run{(runs.Count == 1 ? "" : "s")}");
            foreach (var line in figure.SteadyLines(runs)) Console.WriteLine("  " + line);
            return Ok;
        }));
        return cmd;
    }

    /// <summary>Options of the pooled cluster figures: frames, steady trimming and the statistic t0 is found on.</summary>
    private sealed class Pooling
    {
        public readonly Option<string?> Frames = FramesOption();
        public readonly Option<bool> AllFrames = Flag("--all-frames", "Pool every frame (of --frames) instead of only each run's steady state (frames from t0 on).");
        public readonly Option<string> Stat = ClustersCommand.StatOption("on which each run's t0 is found");

        public void AddTo(Command c)
        {
            c.Options.Add(Frames);
            c.Options.Add(AllFrames);
            c.Options.Add(Stat);
        }

        public IReadOnlyList<RunSeries> Runs(ParseResult r, IReadOnlyList<string> files, bool keepSizes, bool quiet, out string note)
        {
            var statistic = FrameStatisticNames.Parse(r.GetValue(Stat)!);
            var range = Cli.Frames(r, Frames);
            return RunGroups.Pooled(Analyse(files, range, keepSizes, quiet), statistic, r.GetValue(AllFrames), range, out note);
        }
    }

    private static Command Sizes()
    {
        var selection = new Selection();
        var by = Option("--by", "One curve per 'tumble' (P_t) or per 'density'. Default: whichever varies among the runs (P_t when both do).", "auto");
        by.HelpName = "tumble|density";
        var pooling = new Pooling();
        var common = new Common("sizes.png in the folder (RUN.sizes.png next to a single RUN)");
        var cmd = new Command("sizes",
            "Cluster-size distributions P(s) on log-log axes (logarithmic bins), one curve per P_t or per density, pooling " +
            "the steady frames of all runs with that value (runs of the other parameter are pooled too: select them with --select-tumbles/--select-densities).");
        selection.AddTo(cmd);
        cmd.Options.Add(by);
        pooling.AddTo(cmd);
        common.AddTo(cmd);
        cmd.SetAction(r => Guard("plot sizes", () =>
        {
            string byValue = r.GetValue(by)!;
            SweptParameter? parameter = byValue.Trim().ToLowerInvariant() == "auto" ? null : RunGroups.Parse(byValue);
            string output = common.OutPath(r, r.GetValue(selection.Paths)!, "sizes");
            var files = selection.Files(r);
            var runs = pooling.Runs(r, files, keepSizes: true, r.GetValue(common.Quiet), out string note);
            var p = parameter ?? RunGroups.Varying(runs);
            var figure = SizeDistributionFigure.FromRuns(runs, p, note,
                r.GetValue(common.Width) ?? SizeDistributionFigure.Width, r.GetValue(common.Height) ?? SizeDistributionFigure.Height);
            figure.SavePng(output);
            Console.WriteLine($"wrote {output}: {figure.Curves.Count} curve{(figure.Curves.Count == 1 ? "" : "s")} from {runs.Count} runs, " +
                              $"{figure.Curves.Sum(c => c.Clusters)} clusters in {figure.Curves.Sum(c => c.Frames)} frames");
            return Ok;
        }));
        return cmd;
    }

    private static Command Largest()
    {
        var selection = new Selection();
        var pooling = new Pooling();
        var common = new Common("largest.png in the folder (RUN.largest.png next to a single RUN)");
        var cmd = new Command("largest",
            "The percolation picture: the largest cluster's share of all particles against density, one curve per P_t, " +
            "at the mean over each run's steady frames (replicas pooled) with ± one standard deviation.");
        selection.AddTo(cmd);
        pooling.AddTo(cmd);
        common.AddTo(cmd);
        cmd.SetAction(r => Guard("plot largest", () =>
        {
            string output = common.OutPath(r, r.GetValue(selection.Paths)!, "largest");
            var files = selection.Files(r);
            var runs = pooling.Runs(r, files, keepSizes: false, r.GetValue(common.Quiet), out string note);
            var points = LargestClusterFigure.Points(runs);
            var figure = LargestClusterFigure.Build(points, $"Largest cluster vs density{note}",
                r.GetValue(common.Width) ?? LargestClusterFigure.Width, r.GetValue(common.Height) ?? LargestClusterFigure.Height);
            figure.SavePng(output);
            Console.WriteLine($"wrote {output}: {figure.Curves.Count} P_t x {points.Select(p => p.Density).Distinct().Count()} densities from {runs.Count} runs");
            return Ok;
        }));
        return cmd;
    }

    private static Command Animate()
    {
        var path = new Argument<string>("RUN") { Description = "A trajectory file (PepLab or original layout)." };
        var frames = FramesOption();
        var step = Option("--step", "Draw every N-th frame of --frames.", 1);
        step.HelpName = "N";
        var fps = Option("--fps", "Frames per second of the animation (GIF timing is in 1/100 s, so it is rounded).", 10.0);
        var cell = Option("--cell", "Pixels per lattice site (0: from --width/--height, else about 512 pixels across).", 0);
        cell.HelpName = "PIXELS";
        var style = new StyleOptions();
        var common = new Common("RUN.gif next to RUN");
        common.Width.Description = "Largest image width in pixels: sets the pixels per site (default: about 512 pixels across).";
        common.Height.Description = "Largest image height in pixels, counter strip included: sets the pixels per site.";
        var cmd = new Command("animate",
            "An animated GIF of a run: every frame (or every --step-th) drawn like 'plot snapshot', under a counter of frame and iteration. " +
            "Frames are streamed: memory stays flat for runs of any length.");
        cmd.Arguments.Add(path);
        foreach (var o in new Option[] { frames, step, fps, cell }) cmd.Options.Add(o);
        style.AddTo(cmd);
        common.AddTo(cmd);
        cmd.SetAction(r => Guard("plot animate", () =>
        {
            string run = r.GetValue(path)!;
            var s = style.Read(r);
            string output = r.GetValue(common.Out) ?? Path.ChangeExtension(Path.GetFullPath(run), ".gif");
            PlotInputs.CheckExtension(output, "gif");
            CheckOutputFile("--out", output, r.GetValue(common.Overwrite));
            double f = r.GetValue(fps);
            if (!(f >= 0.01 && f <= 50)) throw new PepLabInputException("--fps", $"must be 0.01..50 (got {f})");
            var range = Frames(r, frames);
            using var source = FrameSources.Open(run);
            int c = r.GetValue(cell) is not 0 and var given ? given : Animation.CellToFit(source.Info.Lattice, r.GetValue(common.Width), r.GetValue(common.Height), s.Outline);
            var options = new AnimationOptions(s, c, r.GetValue(step), (int)Math.Round(100 / f)).Checked();
            int total = Animation.FrameCount(source.Count, options, range);
            var result = Progress.Run(r.GetValue(common.Quiet), "animate", total, "frames", report =>
            {
                int done = 0;
                return Animation.Write(source, output, options, range, n => report(done += n), Cancellation);
            });
            Console.WriteLine($"wrote {result.Path}: {result.Frames} frames of {result.Width}x{result.Height}, {result.Bytes / 1024.0:0.#} KiB");
            return Ok;
        }));
        return cmd;
    }
}
