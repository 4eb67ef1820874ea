using PepLab.Core;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PepLab.Store;

/// <summary>
/// The original sampler's file layout, in one place. One HDF5 file per (P_t, density), named
/// <c>dataset_tumble_{P_t:.3f}_{density}.h5</c> (density as Python prints a float); at the root
/// <c>conf_{iteration}</c> int32 (nx, ny) per kept snapshot with values 0..4, and in the rolled
/// variant <c>conf_{iteration}_{roll}</c> uint8 copies shifted by (roll, roll) for roll = 0, 10,
/// ..., 120. No metadata inside: P_t and density live only in the file name. A
/// <c>sampler_records.csv</c> next to the files lists the runs (<c>,tumble,n_iter,density,speed</c>).
/// </summary>
public static partial class LegacyFormat
{
    public const string FilePrefix = "dataset_tumble_";
    public const string FileExtension = ".h5";
    public const string FramePrefix = "conf_";
    public const string RecordsFile = "sampler_records.csv";
    public const string RecordsHeader = ",tumble,n_iter,density,speed";

    /// <summary>Shifts of the rolled copies: 0, 10, ..., 120 (13 copies).</summary>
    public static IReadOnlyList<int> Rolls { get; } = Enumerable.Range(0, 13).Select(k => 10 * k).ToArray();

    /// <summary>The original's file name for a run: <c>dataset_tumble_{tumble:.3f}_{density}.h5</c>.</summary>
    public static string FileName(double tumble, double density) =>
        $"{FilePrefix}{PythonFloat.Fixed(tumble, 3)}_{PythonFloat.Repr(density)}{FileExtension}";

    /// <summary>Name of the frame dataset of <paramref name="iteration"/>.</summary>
    public static string FrameName(long iteration) => FramePrefix + iteration.ToString(CultureInfo.InvariantCulture);

    /// <summary>Name of the rolled copy of <paramref name="iteration"/> shifted by <paramref name="roll"/>.</summary>
    public static string RollName(long iteration, int roll) =>
        FrameName(iteration) + "_" + roll.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^dataset_tumble_(?<t>[0-9]+(?:\.[0-9]+)?)_(?<d>[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\.h5$",
        RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();

    /// <summary>
    /// Parses P_t and density from a file name (any folder part is ignored). The values are parsed
    /// as numbers: <c>0.15</c> and <c>0.15000000000000002</c> are two different densities, and the
    /// caller matches them numerically (with a tolerance if it wants), never as text.
    /// </summary>
    public static bool TryParseFileName(string path, out double tumble, out double density)
    {
        tumble = density = double.NaN;
        var m = FileNamePattern().Match(System.IO.Path.GetFileName(path));
        if (!m.Success) return false;
        if (!double.TryParse(m.Groups["t"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out tumble)) return false;
        if (!double.TryParse(m.Groups["d"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out density)) return false;
        return tumble is >= 0 and <= 1 && density is > 0 and <= 1;
    }

    /// <summary>
    /// Classifies a root dataset name: <c>conf_{iteration}</c> gives the iteration and a null roll,
    /// <c>conf_{iteration}_{roll}</c> both; anything else is not part of the layout.
    /// </summary>
    public static bool TryParseDatasetName(string name, out long iteration, out int? roll)
    {
        iteration = -1;
        roll = null;
        if (!name.StartsWith(FramePrefix, StringComparison.Ordinal)) return false;
        var rest = name.AsSpan(FramePrefix.Length);
        int underscore = rest.IndexOf('_');
        var it = underscore < 0 ? rest : rest[..underscore];
        if (!IsDigits(it) || !long.TryParse(it, NumberStyles.None, CultureInfo.InvariantCulture, out iteration)) return false;
        if (underscore < 0) return true;
        var r = rest[(underscore + 1)..];
        if (!IsDigits(r) || !int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int rollValue)) return false;
        roll = rollValue;
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (char c in s) if (c is < '0' or > '9') return false;
        return true;
    }

    /// <summary>
    /// numpy's <c>roll(frame, (shift, shift), axis=(0, 1))</c> of an (nx, ny) row-major frame:
    /// <c>destination[(i + shift) % nx, (j + shift) % ny] = frame[i, j]</c>.
    /// </summary>
    public static void Roll(ReadOnlySpan<byte> frame, int nx, int ny, int shift, Span<byte> destination) =>
        Core.FrameTransforms.Roll(frame, destination, nx, ny, shift, shift);

    /// <summary>One line of <see cref="RecordsFile"/> in pandas' <c>to_csv</c> form.</summary>
    public static string RecordsRow(int index, double tumble, long? iterations, double density, int? speed) =>
        string.Join(',',
            index.ToString(CultureInfo.InvariantCulture),
            PythonFloat.Repr(tumble),
            iterations?.ToString(CultureInfo.InvariantCulture) ?? "",
            PythonFloat.Repr(density),
            speed?.ToString(CultureInfo.InvariantCulture) ?? "");
}
