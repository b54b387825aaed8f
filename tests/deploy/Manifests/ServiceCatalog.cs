namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>The four services as the code defines them: folder, assembly, and how they are scaled.</summary>
internal static class ServiceCatalog
{
    public const int ContainerPort = 8080;

    public static readonly IReadOnlyDictionary<string, string> Assemblies = new Dictionary<string, string>
    {
        ["webpage"] = "ElasticRedPacket.Webpage",
        ["account"] = "ElasticRedPacket.Account",
        ["redpacket"] = "ElasticRedPacket.RedPacket",
        ["monitor"] = "ElasticRedPacket.Monitor",
    };

    /// <summary>Which autoscaler kind owns each service (the design).</summary>
    public static readonly IReadOnlyDictionary<string, string> Autoscaler = new Dictionary<string, string>
    {
        ["webpage"] = "HorizontalPodAutoscaler",
        ["account"] = "HorizontalPodAutoscaler",
        ["redpacket"] = "ScaledObject",
        ["monitor"] = "ScaledObject",
    };

    /// <summary>
    /// Never fewer than two replicas: every user's grab crosses webpage, account and redpacket; the
    /// grab page polls monitor for the active campaigns, and monitor releases the batches.
    /// </summary>
    public static readonly IReadOnlySet<string> MinimumTwo = new HashSet<string> { "webpage", "account", "redpacket", "monitor" };

    /// <summary>Secrets created outside the rendered manifests, by an operator or by the platform team (docs/deploy.md).</summary>
    public static readonly IReadOnlySet<string> ExternalSecrets = new HashSet<string> { "erp-postgres-app", "erp-rabbitmq-default-user", "erp-secrets", "erp-tls" };

    public static IEnumerable<string> Names => Assemblies.Keys;
}
