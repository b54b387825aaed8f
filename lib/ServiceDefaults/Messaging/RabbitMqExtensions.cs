using ElasticRedPacket.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

public static class RabbitMqExtensions
{
    public const string ConnectionStringKey = "ConnectionStrings:RabbitMQ";

    public static IHostApplicationBuilder AddRabbitMq(this IHostApplicationBuilder builder)
    {
        var uri = builder.Configuration.GetRequiredString(ConnectionStringKey);
        var factory = new ConnectionFactory
        {
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            ClientProvidedName = builder.Environment.ApplicationName,
            // Confirms and acks complete on the dispatcher; let several run at once.
            ConsumerDispatchConcurrency = 1,
        };
        try
        {
            factory.Uri = new Uri(uri);
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException)
        {
            throw new InvalidConfigurationException(ConnectionStringKey, $"is malformed (expected amqp://user:password@host:port/vhost): {ex.Message}", ex);
        }

        builder.Services.AddSingleton(factory);
        builder.Services.AddSingleton<RabbitMqConnection>();
        builder.Services.AddSettings<RabbitMqOptions>(RabbitMqOptions.Section);
        builder.Services.AddHostedService<StuckConnectionWatchdog>();
        builder.Services.AddSingleton<ConfirmingPublisher>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "rabbitmq",
            sp => new DelegateHealthCheck(async ct =>
            {
                var connection = sp.GetRequiredService<RabbitMqConnection>();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                var open = await connection.GetAsync(timeout.Token);
                if (!open.IsOpen)
                {
                    throw new InvalidOperationException("RabbitMQ connection is closed (recovering)");
                }
            }),
            HealthStatus.Unhealthy,
            [HealthTags.Ready],
            TimeSpan.FromSeconds(3)));
        return builder;
    }
}
