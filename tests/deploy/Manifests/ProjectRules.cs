namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>All project rules over one rendered overlay.</summary>
internal static class ProjectRules
{
    public static List<string> Check(IReadOnlyList<JsonObject> docs) =>
    [
        .. DeploymentRules.Check(docs),
        .. AutoscalingRules.Check(docs),
        .. RoutingRules.Check(docs, NginxRoutes.Load()),
        .. ServiceRules.Check(docs),
    ];
}
