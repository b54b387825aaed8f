using ElasticRedPacket.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace ElasticRedPacket.ServiceDefaults.Caching;

public static class RedisExtensions
{
    public const string ConnectionStringKey = "ConnectionStrings:Redis";

    /// <summary>
    /// One shared <see cref="ConnectionMultiplexer"/> for the process (it pipelines every caller over
    /// one socket). abortConnect=false: a Redis that is down at start-up or restarts later is
    /// reconnected in the background instead of failing the process.
    /// </summary>
    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetRequiredString(ConnectionStringKey);
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidConfigurationException(ConnectionStringKey, $"is malformed: {ex.Message}", ex);
        }
        if (options.EndPoints.Count == 0)
        {
            throw new InvalidConfigurationException(ConnectionStringKey, "names no endpoint (expected host:port[,password=...])");
        }
        options.AbortOnConnectFail = false;
        options.ClientName ??= builder.Environment.ApplicationName;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "redis",
            sp => new DelegateHealthCheck(async _ => await sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase().PingAsync()),
            HealthStatus.Unhealthy,
            [HealthTags.Ready],
            TimeSpan.FromSeconds(3)));
        return builder;
    }
}
