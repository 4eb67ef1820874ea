using System.CommandLine;
using System.Globalization;
using PepLab.Core;
using PepLab.Store;
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
        var json = Output.JsonOption();
        cmd.Options.Add(json);
        cmd.SetAction(r => Guard("bench read", () =>
        {
            string path = r.GetValue(file)!;
            int passes = r.GetValue(repeat), b = r.GetValue(block);
            if (passes < 1) throw new PepLabInputException("--repeat", "must be at least 1");
            if (b < 1) throw new PepLabInputException("--block", "must be at least 1");
            var passList = Enumerable.Range(1, passes).Select(k => ReadBench.Pass(path, b, k)).ToList();
            if (r.GetValue(json))
            {
                Output.Json("bench-read", new { File = path, Block = b, Passes = passList });
                return Ok;
            }
            var table = new TextTable("pass", "layout", "frames", "open s", "read s", "total s", "frames/s", "checksum");
            foreach (var x in passList)
                table.Row(x.Pass.ToString(CultureInfo.InvariantCulture), x.Layout, x.Frames.ToString(CultureInfo.InvariantCulture),
                    $"{x.OpenSeconds:0.000}", $"{x.ReadSeconds:0.000}", $"{x.TotalSeconds:0.000}", $"{x.FramesPerSecond:N0}",
                    x.Checksum.ToString(CultureInfo.InvariantCulture));
            Console.WriteLine(path);
            table.Show();
            return Ok;
        }));
        return cmd;
    }
}
