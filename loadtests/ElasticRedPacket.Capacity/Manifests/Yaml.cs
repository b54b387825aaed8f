using YamlDotNet.RepresentationModel;

namespace ElasticRedPacket.Capacity.Manifests;

/// <summary>Small helpers over YamlDotNet's representation model: a rendering is many documents of nested mappings.</summary>
internal static class Yaml
{
    public static IEnumerable<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>();
    }

    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }
        return node;
    }

    public static string? Text(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static int? Int(this YamlNode? node, params string[] path) =>
        node.Text(path) is { } text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    public static double? Number(this YamlNode? node, params string[] path) =>
        node.Text(path) is { } text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;

    public static IEnumerable<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children : [];

    /// <summary>A Kubernetes CPU quantity ("500m", "2", "1.5") in millicores.</summary>
    public static long MilliCores(string? quantity) => quantity switch
    {
        null or "" => 0,
        _ when quantity.EndsWith('m') => long.Parse(quantity[..^1], CultureInfo.InvariantCulture),
        _ => (long)Math.Round(double.Parse(quantity, NumberStyles.Float, CultureInfo.InvariantCulture) * 1000),
    };
}
