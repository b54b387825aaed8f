using ElasticRedPacket.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ElasticRedPacket.ServiceDefaults.Data;

public static class PostgresExtensions
{
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>Statements prepared per connection unless the connection string says otherwise ("Max Auto Prepare").</summary>
    public const int DefaultMaxAutoPrepare = 32;

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
            if (!Names(connectionString, "MaxAutoPrepare"))
            {
                // The statements a service repeats (the claim insert, the campaign state, the winners'
                // lookups) are prepared on each pooled connection after their second use, so
                // PostgreSQL stops parsing and planning them per batch. Set in the connection string to override.
                dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
                dataSourceBuilder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }
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

    /// <summary>Whether the connection string sets this keyword (spaces and case ignored, as Npgsql reads it).</summary>
    private static bool Names(string connectionString, string keyword) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals(keyword, StringComparison.OrdinalIgnoreCase));
}
