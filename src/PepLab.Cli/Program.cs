using System.CommandLine;
using PepLab.Cli;
using PepLab.Cli.Commands;

var root = new RootCommand(
    "PepLab: simulate the persistent exclusion process, store trajectories in HDF5, analyse clusters, " +
    "and learn the tumbling probability from snapshots.");
root.Subcommands.Add(SimulateCommand.Build());
root.Subcommands.Add(SampleCommand.Build());
root.Subcommands.Add(BenchCommand.Build());
root.Subcommands.Add(TrainCommand.Build());
root.Subcommands.Add(EvaluateCommand.BuildPredict());
root.Subcommands.Add(EvaluateCommand.Build());
root.Subcommands.Add(ModelCommand.Build());
root.Subcommands.Add(ClustersCommand.Build());
root.Subcommands.Add(EquilibrateCommand.Build());
root.Subcommands.Add(ExportCommand.Build());
root.Subcommands.Add(DatasetCommand.Build());
root.Subcommands.Add(PlotCommand.Build());
root.Subcommands.Add(QuickstartCommand.Build());
root.Subcommands.Add(ExperimentCommand.Build());
root.Subcommands.Add(StatusCommand.Build());
Completions.AddTo(root);

Cli.Arguments = args;
PepLab.Core.Provenance.SetCommandLine(args);
var parsed = root.Parse(args);
// "[suggest:N] LINE" (dotnet-suggest's question) completes an unfinished line, which has parse errors by nature.
bool suggest = parsed.Action is System.CommandLine.Invocation.CommandLineAction a && root.Directives.OfType<System.CommandLine.Completions.SuggestDirective>().Any(d => d.Action == a);
if (parsed.Errors.Count > 0 && !suggest)
{
    var command = parsed.CommandResult.Command;
    string name = command == root ? "" : " " + string.Join(' ', CommandPath(parsed.CommandResult));
    Console.Error.WriteLine($"pep{name}: error: {ParseErrorMessage(parsed, command)} (see 'pep{name} --help')");
    return Cli.BadInput;
}
Cli.Current = parsed.CommandResult.Command;
return parsed.Invoke();

// A command group (pep, pep plot, ...) given no command or an unknown one: name what was typed and
// list the commands it has, rather than the parser's "Required command was not provided".
static string ParseErrorMessage(ParseResult parsed, Command command)
{
    var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
    if (commands.Count == 0 || command.Action is not null) return parsed.Errors[0].Message;
    string list = string.Join(", ", commands);
    string? typed = parsed.UnmatchedTokens.FirstOrDefault();
    return typed is null
        ? $"no command given; the commands are: {list}"
        : $"unknown command '{typed}'; the commands are: {list}";
}

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
{
    var names = new Stack<string>();
    for (var c = result; c?.Parent is System.CommandLine.Parsing.CommandResult parent; c = parent) names.Push(c.Command.Name);
    return names;
}
