using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PepLab.Core;

/// <summary>
/// The one JSON style of PepLab, for every file it writes (model.json, sample.json, metrics.json,
/// results.json, jobs.json) and every <c>--json</c> output: snake_case keys, indented, numbers as
/// numbers, NaN and infinities as <c>null</c> (JSON has no such numbers; a script reads "unknown").
/// A <c>--json</c> document is one object whose first keys are <c>"kind"</c> (what it describes) and
/// <c>"peplab_version"</c> (<see cref="Document(string, object)"/>).
/// <para>
/// Reading is lenient where older files differ: a <c>null</c> number reads as NaN, and the strings
/// "NaN", "Infinity" and "-Infinity" (what files written before this style hold) read as those values.
/// </para>
/// </summary>
public static class PepLabJson
{
    /// <summary>The shared options: snake_case, indented, nulls written, non-finite numbers as null.</summary>
    public static JsonSerializerOptions Options { get; } = Create(JsonIgnoreCondition.Never);

    /// <summary><see cref="Options"/>, but properties whose value is null are left out (model.json, jobs.json).</summary>
    public static JsonSerializerOptions OmitNulls { get; } = Create(JsonIgnoreCondition.WhenWritingNull);

    private static JsonSerializerOptions Create(JsonIgnoreCondition ignore)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            DefaultIgnoreCondition = ignore,
            // Plain "=>", '+' and quotes in layer notations, versions and command lines: the files are read by people too.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new FiniteDouble(), new FiniteSingle() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>A number for a <see cref="JsonNode"/> tree: null for NaN and infinities.</summary>
    public static JsonNode? Number(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    /// <summary>
    /// The <c>--json</c> document for <paramref name="value"/>: <c>{"kind": KIND, "peplab_version": ..., ...}</c>
    /// followed by the value's own properties in <see cref="Options"/>' style.
    /// </summary>
    public static JsonObject Document(string kind, object value)
    {
        var node = JsonSerializer.SerializeToNode(value, value.GetType(), Options) as JsonObject
                   ?? throw new ArgumentException($"a {value.GetType().Name} is not a JSON object", nameof(value));
        var document = new JsonObject { ["kind"] = kind, ["peplab_version"] = PepLabVersion.Current };
        foreach (var (key, field) in node.ToList())
        {
            node.Remove(key);
            if (key is not ("kind" or "peplab_version")) document[key] = field;
        }
        return document;
    }

    /// <summary>
    /// <paramref name="fields"/> (a tree built by hand) as a <c>--json</c> document: <c>"kind"</c> and
    /// <c>"peplab_version"</c> first, then the other fields (any "kind" or "peplab_version" among them replaced).
    /// </summary>
    public static JsonObject Document(string kind, JsonObject fields)
    {
        var document = new JsonObject { ["kind"] = kind, ["peplab_version"] = PepLabVersion.Current };
        foreach (var (key, value) in fields)
            if (key is not ("kind" or "peplab_version")) document[key] = value?.DeepClone();
        return document;
    }

    /// <summary><paramref name="node"/> as indented text in <see cref="Options"/>' style.</summary>
    public static string Text(JsonNode node) => node.ToJsonString(Options);

    /// <summary><paramref name="value"/> as indented text in <see cref="Options"/>' style.</summary>
    public static string Text<T>(T value) => JsonSerializer.Serialize(value, Options);

    private static double ReadNumber(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => double.NaN,
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.String => reader.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new JsonException($"'{s}' is not a number"),
        },
        var t => throw new JsonException($"expected a number, found {t.ToString().ToLower(CultureInfo.InvariantCulture)}"),
    };

    /// <summary>Doubles: finite ones as numbers, NaN and infinities as null.</summary>
    private sealed class FiniteDouble : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadNumber(ref reader);

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    /// <summary>Floats: finite ones as numbers, NaN and infinities as null.</summary>
    private sealed class FiniteSingle : JsonConverter<float>
    {
        public override bool HandleNull => true;

        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (float)ReadNumber(ref reader);

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
