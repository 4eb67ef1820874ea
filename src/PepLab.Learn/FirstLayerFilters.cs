using System.Globalization;
using PepLab.Core;

namespace PepLab.Learn;

/// <summary>
/// The kernels of a model's first convolution, as numbers: <see cref="Weights"/>[filter][channel][row][column],
/// with the input channel names of the model's encoding. What <c>pep model filters</c> draws and writes.
/// </summary>
public sealed class FirstLayerFilters
{
    /// <summary>Header of <see cref="WriteCsv"/>'s file.</summary>
    public const string CsvHeader = "filter,channel,channel_name,row,column,weight";

    private FirstLayerFilters(float[][][][] weights, IReadOnlyList<string> channels)
    {
        Weights = weights;
        Channels = channels;
    }

    /// <summary>Weights[filter][channel][row][column].</summary>
    public float[][][][] Weights { get; }

    /// <summary>Name of each input channel (up, right, down, left for one-hot; occupied; ordinal).</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The first layer's kernels of <paramref name="model"/>; a model that does not start with a CONV layer is refused.</summary>
    public static FirstLayerFilters Of(LoadedModel model)
    {
        var kernels = model.Network.FirstKernels()
            ?? throw new PepLabInputException(model.Folder, $"model {model.Document.Name} does not start with a CONV layer");
        var shape = kernels.shape;
        int filters = (int)shape[0], channels = (int)shape[1], kh = (int)shape[2], kw = (int)shape[3];
        var flat = kernels.detach().cpu().data<float>().ToArray();
        var weights = Enumerable.Range(0, filters).Select(f => Enumerable.Range(0, channels).Select(c =>
            Enumerable.Range(0, kh).Select(i => flat.AsSpan(((f * channels + c) * kh + i) * kw, kw).ToArray()).ToArray()).ToArray()).ToArray();
        return new FirstLayerFilters(weights, ChannelNames(model.Config.Encoding));
    }

    /// <summary>One row per weight: filter, channel, channel name, row, column, weight (round-trip precision).</summary>
    public void WriteCsv(string path)
    {
        var lines = new List<string>();
        for (int f = 0; f < Weights.Length; f++)
            for (int c = 0; c < Weights[f].Length; c++)
                for (int i = 0; i < Weights[f][c].Length; i++)
                    for (int j = 0; j < Weights[f][c][i].Length; j++)
                        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{f},{c},{Channels[c]},{i},{j},{Weights[f][c][i][j]:R}"));
        LearnFiles.Write(path, CsvHeader, lines);
    }

    private static IReadOnlyList<string> ChannelNames(InputEncoding e) => e switch
    {
        InputEncoding.OneHot => ["up", "right", "down", "left"],
        InputEncoding.Occupancy => ["occupied"],
        _ => ["ordinal"],
    };
}
