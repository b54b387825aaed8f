namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>Small helpers to walk rendered manifests.</summary>
internal static class Json
{
    public static string Kind(this JsonObject doc) => doc["kind"]?.GetValue<string>() ?? "";

    public static string Name(this JsonObject doc) => doc["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static IEnumerable<JsonObject> OfKind(this IEnumerable<JsonObject> docs, string kind) => docs.Where(d => d.Kind() == kind);

    public static IEnumerable<JsonObject> Objects(this JsonNode? node) => node is JsonArray array ? array.OfType<JsonObject>() : [];

    public static string? Str(this JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>An integer whatever CLR type backs the value (parsed YAML holds long, a test's edit may hold int).</summary>
    public static long? Int(this JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
        && long.TryParse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : null;

    public static Dictionary<string, string> Labels(this JsonNode? node) =>
        node is JsonObject o ? o.Where(p => p.Value.Str() is not null).ToDictionary(p => p.Key, p => p.Value.Str()!) : [];

    /// <summary>A label selector's matchLabels select the labels (every pair present).</summary>
    public static bool Selects(this JsonNode? matchLabels, JsonNode? labels)
    {
        var wanted = matchLabels.Labels();
        var have = labels.Labels();
        return wanted.Count > 0 && wanted.All(w => have.TryGetValue(w.Key, out var v) && v == w.Value);
    }
}
