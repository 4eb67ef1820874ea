using System.CommandLine;
using PepLab.Analyse;
using PepLab.Experiments;
using PepLab.Learn;

namespace PepLab.Cli;

/// <summary>
/// Completions of option values, in one place: the values each option takes come from the library
/// that parses them, and are offered by the <c>[suggest]</c> directive (what <c>dotnet-suggest</c>
/// asks a program for) and <see cref="ParseResult.GetCompletions"/>. They only complete: the
/// library still checks what is typed (and accepts its aliases, such as <c>one-hot</c>), so the
/// errors stay the library's one-line errors.
/// </summary>
internal static class Completions
{
    private static string[] Lower<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => v.ToString().ToLowerInvariant()).ToArray();

    /// <summary>Option name -> the values it completes; an option of this name in any command gets them.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IEnumerable<string>>> OptionValues = new Dictionary<string, Func<IEnumerable<string>>>
    {
        ["--model"] = () => Architectures.Names,
        // TorchRuntime.ResolveDevice also takes gpu and cuda:N; these are the names to offer.
        ["--device"] = () => ["auto", "cpu", "cuda"],
        ["--head"] = () => Enum.GetValues<Head>().Select(ModelSettingNames.Of),
        ["--encoding"] = () => Enum.GetValues<InputEncoding>().Select(ModelSettingNames.Of),
        ["--target"] = () => Enum.GetValues<TargetTransform>().Select(ModelSettingNames.Of),
        ["--split"] = Lower<SplitKind>,
        ["--augment"] = Lower<AugmentKind>,
        ["--schedule"] = Lower<Schedule>,
        ["--loss"] = Lower<LossKind>,
        ["--calibrate"] = () => [TrainOptions.CalibrationName(true), TrainOptions.CalibrationName(false)],
        ["--stat"] = () => FrameStatisticNames.All,
        ["--to"] = Lower<ExportFormat>,
    };

    /// <summary>Adds the completions to every option of <paramref name="root"/>'s commands that takes such a value, and the experiment names to <c>pep experiment NAME</c>.</summary>
    public static void AddTo(Command root)
    {
        foreach (var command in Commands(root))
        {
            foreach (var option in command.Options)
            {
                if (option.ValueType != typeof(string) || !OptionValues.TryGetValue(option.Name, out var values)) continue;
                option.CompletionSources.Add(_ => values());
            }
            if (command.Name == "experiment" && command.Parents.Contains(root))
                foreach (var argument in command.Arguments.Where(a => a.Name == "NAME"))
                    argument.CompletionSources.Add(_ => ExperimentConfig.Shipped);
        }
    }

    private static IEnumerable<Command> Commands(Command command) => command.Subcommands.SelectMany(Commands).Prepend(command);
}
