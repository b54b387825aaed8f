namespace ElasticRedPacket.ServiceDefaults.Health;

public static class HealthTags
{
    /// <summary>Checks with this tag decide /readyz; /healthz runs none (the process answering is enough).</summary>
    public const string Ready = "ready";
}
