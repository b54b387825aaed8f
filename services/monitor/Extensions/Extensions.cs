using ElasticRedPacket.Monitor.Data;
using ElasticRedPacket.Monitor.Features.Campaigns;
using ElasticRedPacket.Monitor.Features.Releasing;
using ElasticRedPacket.Monitor.Features.Statistics;
using ElasticRedPacket.Monitor.Messaging;
using ElasticRedPacket.Monitor.Security;
using ElasticRedPacket.Monitor.Telemetry;
using ElasticRedPacket.ServiceDefaults.Security;
using ElasticRedPacket.ServiceDefaults.Data;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.StaticFiles;

namespace ElasticRedPacket.Monitor.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddRabbitMq();
        builder.Services.AddSettings<MonitorOptions>(MonitorOptions.Section);
        builder.Services.AddSettings<AuthOptions>(AuthOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OperatorKeyFilter>();
        builder.Services.AddSingleton<CampaignStore>();
        builder.Services.AddSingleton<CampaignService>();
        builder.Services.AddSingleton<CampaignCloser>();
        builder.Services.AddSingleton<OutcomeStore>();
        builder.Services.AddSingleton<ReleaseStore>();
        builder.Services.AddSingleton<QueueInspector>();
        // The releaser's own lock connection, unpooled (close makes one of its own for each call).
        builder.Services.AddSingleton<LockConnectionSource>();
        builder.Services.AddSingleton<ReleaseLock>();
        builder.Services.AddSingleton<MonitorMetrics>();
        builder.Services.AddHostedService<Releaser>();
        builder.Services.AddHostedService<OutcomeConsumer>();
    }

    /// <summary>The dashboard's assets: versioned URLs, so they may be cached for a day.</summary>
    public static WebApplication UseMonitorPage(this WebApplication app)
    {
        app.UsePageSecurityHeaders("/monitor");
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "public, max-age=86400",
        });
        return app;
    }
}
