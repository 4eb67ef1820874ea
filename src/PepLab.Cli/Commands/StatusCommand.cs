using System.CommandLine;
using PepLab.Experiments;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep status DIR</c>: how far an experiment, a data set or a training is.</summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var folder = new Argument<string>("DIR") { Description = "An experiment folder, a data set folder or a model folder." };
        var json = Output.JsonOption();
        var cmd = new Command("status",
            "How far the work in DIR is: runs and trainings done, running, failed (with the log to read) and missing, " +
            "the SLURM jobs recorded for it with their queue state (when squeue is there), and an estimate of the time left.");
        cmd.Arguments.Add(folder);
        cmd.Options.Add(json);
        cmd.SetAction(r => Guard("status", () =>
        {
            var status = FolderStatus.Of(r.GetValue(folder)!);
            if (r.GetValue(json)) Console.WriteLine(status.ToJson());
            else foreach (var line in status.Lines) Console.WriteLine(line);
            return Ok;
        }));
        return cmd;
    }
}
