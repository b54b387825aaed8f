namespace ElasticRedPacket.RedPacket.Apis;

public static class RedPacketApi
{
    public static IEndpointRouteBuilder MapRedPacketApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/redpacket/info", () => TypedResults.Ok(new ServiceInfo("redpacket", typeof(RedPacketApi).Assembly.GetName().Version?.ToString() ?? "0")));
        return app;
    }
}

public sealed record ServiceInfo(string Service, string Version);
