namespace ElasticRedPacket.LoadTests.Cli;

/// <summary>
/// The KEY='value' file deploy/local writes for a running stack (stack.env): the ingress URL,
/// the operator key, PostgreSQL and RabbitMQ connection strings, RabbitMQ's management URL.
/// </summary>
public sealed class StackEnvFile
{
    private readonly Dictionary<string, string> _values;

    private StackEnvFile(Dictionary<string, string> values) => _values = values;

    public string? this[string key] => _values.GetValueOrDefault(key);

    public static StackEnvFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--stack-env: {path} not found (deploy/local/up.sh prints where the stack's stack.env is)");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || separator <= 0)
            {
                continue;
            }
            values[line[..separator].Trim()] = line[(separator + 1)..].Trim().Trim('\'', '"');
        }
        return new StackEnvFile(values);
    }
}
