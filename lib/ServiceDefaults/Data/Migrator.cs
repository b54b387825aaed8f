using System.Reflection;
using Dapper;
using Npgsql;

namespace ElasticRedPacket.ServiceDefaults.Data;

/// <summary>
/// Applies the versioned SQL files of db/migrations (embedded in this assembly) in order.
/// A session-level advisory lock serialises replicas that start together; each file runs in its
/// own transaction together with its row in schema_migrations, so running twice is a no-op.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    // Arbitrary constant shared by every service: "ERP migrations".
    private const long AdvisoryLockKey = 0x4552_505f_4d49_47;

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet();

            var count = 0;
            foreach (var migration in Embedded.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, name) VALUES (@Version, @Name)",
                    migration, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version} {Name}", migration.Version, migration.Name);
                count++;
            }
            return count;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
        }
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Parse(assembly, n))
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static Migration Parse(Assembly assembly, string resource)
    {
        var fileName = resource["migrations/".Length..^".sql".Length];
        var separator = fileName.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(fileName.AsSpan(0, separator), System.Globalization.CultureInfo.InvariantCulture);
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd());
    }
}

public sealed record Migration(int Version, string Name, string Sql);

internal sealed class MigrationHostedService(Migrator migrator, ILogger<MigrationHostedService> logger) : IHostedService
{
    // Runs inside host start-up, so Kestrel does not accept requests before the schema exists.
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await migrator.ApplyAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (attempt < 30 && ex.IsTransient)
            {
                logger.LogWarning(ex, "PostgreSQL not reachable for migrations (attempt {Attempt}); retrying in {Delay}", attempt, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 5));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
