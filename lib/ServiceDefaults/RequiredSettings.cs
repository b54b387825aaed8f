namespace ElasticRedPacket.ServiceDefaults;

/// <summary>
/// Reads settings that a service cannot run without. Every failure names the setting (in the
/// configuration path form and as the environment variable Kubernetes would set), so a bad
/// deployment fails at start-up with a message an operator can act on.
/// </summary>
public static class RequiredSettings
{
    public static string GetRequiredString(this IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidConfigurationException(key, "is missing");
        }
        return value;
    }

    public static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}

public sealed class InvalidConfigurationException(string key, string problem, Exception? inner = null)
    : Exception($"Configuration setting '{key}' (environment variable {RequiredSettings.EnvironmentName(key)}) {problem}.", inner)
{
    public string Key { get; } = key;
}
