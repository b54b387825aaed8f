using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Features;
using ElasticRedPacket.RedPacket.Messaging;
using ElasticRedPacket.RedPacket.Services;
using ElasticRedPacket.RedPacket.Telemetry;
using ElasticRedPacket.ServiceDefaults.Auth;
using ElasticRedPacket.ServiceDefaults.Data;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddRabbitMq();

        var services = builder.Services;
        services.AddSettings<AuthOptions>(AuthOptions.Section);
        services.AddSettings<GrabOptions>(GrabOptions.Section);
        services.AddSettings<ServicesOptions>(ServicesOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TokenSigner>();
        services.AddSingleton<GrabMetrics>();
        services.AddSingleton<AccountClient>();
        services.AddSingleton<CampaignStateCache>();
        services.AddSingleton<ClaimStore>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<GrabService>();

        // Registration order = start order; they stop in reverse: consumers first, then claims, then outcomes, then verification.
        services.AddSingleton<VerifyBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<VerifyBatcher>());
        services.AddSingleton<OutcomePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutcomePublisher>());
        services.AddSingleton<ClaimBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ClaimBatcher>());
        services.AddSingleton<WinnerLookup>();
        services.AddHostedService(sp => sp.GetRequiredService<WinnerLookup>());
        services.AddSingleton<ConsumerRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsumerRegistry>());
        services.AddHostedService<GrabLifecycle>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GrabJsonContext.Default));
    }
}
