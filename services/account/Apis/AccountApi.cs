namespace ElasticRedPacket.Account.Apis;

public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/account/info", () => TypedResults.Ok(new ServiceInfo("account", typeof(AccountApi).Assembly.GetName().Version?.ToString() ?? "0")));
        return app;
    }
}

public sealed record ServiceInfo(string Service, string Version);
