using ElasticRedPacket.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ElasticRedPacket.ServiceDefaults.Data;

public static class PostgresExtensions
{
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>
    /// One pooled <see cref="NpgsqlDataSource"/> per process, a readiness check, and the versioned
    /// migrations applied before the service starts serving.
    /// </summary>
    public static IHostApplicationBuilder AddPostgres(this IHostApplicationBuilder builder, bool applyMigrations = true)
    {
        var connectionString = builder.Configuration.GetRequiredString(ConnectionStringKey);
        NpgsqlDataSourceBuilder dataSourceBuilder;
        try
        {
            dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString);
            dataSourceBuilder.ConnectionStringBuilder.ApplicationName ??= builder.Environment.ApplicationName;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidConfigurationException(ConnectionStringKey, $"is malformed: {ex.Message}", ex);
        }

        builder.Services.AddSingleton(_ => dataSourceBuilder.Build());
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "postgres",
            sp => new DelegateHealthCheck(async ct =>
            {
                await using var command = sp.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(ct);
            }),
            HealthStatus.Unhealthy,
            [HealthTags.Ready],
            TimeSpan.FromSeconds(3)));

        if (applyMigrations)
        {
            builder.Services.AddHostedService<MigrationHostedService>();
        }
        return builder;
    }
}
