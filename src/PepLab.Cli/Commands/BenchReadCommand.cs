using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PepLab.Core;
using PepLab.Store;
using Spectre.Console;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep bench read FILE</c>: time to open a trajectory file (either layout) and read all its frames.</summary>
internal static class BenchReadCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "A trajectory file of either layout (PepLab or the original's dataset_tumble_*.h5)." };
        var repeat = Option("--repeat", "Times to open and read the file; the table shows each pass (the first one pays for a cold page cache and JIT).", 3);
        var block = Option("--block", "Frames per read call.", 64);
        var cmd = new Command("read", "Open a trajectory file and read every frame: seconds to open, seconds to read, frames/s.");
        cmd.Arguments.Add(file);
        cmd.Options.Add(repeat);
        cmd.Options.Add(block);
        cmd.SetAction(r => Guard("bench read", () =>
        {
            string path = r.GetValue(file)!;
            int passes = r.GetValue(repeat), b = r.GetValue(block);
            if (passes < 1) throw new PepLabInputException("--repeat", "must be at least 1");
            if (b < 1) throw new PepLabInputException("--block", "must be at least 1");
            var table = new Table().AddColumns("pass", "layout", "frames", "open s", "read s", "total s", "frames/s", "checksum");
            for (int pass = 1; pass <= passes; pass++)
            {
                var clock = Stopwatch.StartNew();
                using var source = FrameSources.Open(path);
                double open = clock.Elapsed.TotalSeconds;
                long checksum = 0;
                foreach (var (_, _, frame) in source.Frames(block: b))
                    foreach (byte v in frame.Span) checksum += v;
                double total = clock.Elapsed.TotalSeconds;
                string layout = source is LegacyReader legacy ? (legacy.RolledCopies > 0 ? "legacy-rolled" : "legacy") : "peplab";
                table.AddRow(pass.ToString(CultureInfo.InvariantCulture), layout, source.Count.ToString(CultureInfo.InvariantCulture),
                    $"{open:0.000}", $"{total - open:0.000}", $"{total:0.000}", $"{source.Count / Math.Max(total - open, 1e-9):N0}",
                    checksum.ToString(CultureInfo.InvariantCulture));
            }
            Console.WriteLine(path);
            AnsiConsole.Write(table);
            return Ok;
        }));
        return cmd;
    }
}
