using ElasticRedPacket.Account.Apis;
using ElasticRedPacket.Account.Data;
using ElasticRedPacket.Account.Services;
using ElasticRedPacket.Account.Telemetry;
using ElasticRedPacket.ServiceDefaults.Auth;
using ElasticRedPacket.ServiceDefaults.Caching;
using ElasticRedPacket.ServiceDefaults.Data;
using ElasticRedPacket.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ElasticRedPacket.Account.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddRedis();

        builder.Services.AddSettings<AuthOptions>(AuthOptions.Section);
        builder.Services.AddSettings<AccountOptions>(AccountOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TokenSigner>();
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<RateLimiter>();
        builder.Services.AddSingleton<VerifyService>();
        builder.Services.AddSingleton<VerifyMetrics>();
        builder.Services.AddSingleton<BlockedUsers>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BlockedUsers>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "block-list", sp => sp.GetRequiredService<BlockedUsers>(), HealthStatus.Unhealthy, [HealthTags.Ready]));
        builder.Services.AddSingleton<AdmissionControl>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AdmissionControl>());
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AccountJsonContext.Default));
    }
}
