using ElasticRedPacket.ServiceDefaults.Data;
using Npgsql;

namespace ElasticRedPacket.Monitor.Features.Releasing;

/// <summary>
/// Unpooled connections for the release lock. A connection holding a session advisory lock must never
/// go back to a pool: with No Reset On Close=true (the k8s connection strings) nothing resets it, so a
/// pooled connection whose unlock failed would keep the lock for whoever borrows it next. Closing an
/// unpooled connection ends its session, and PostgreSQL drops the lock with it.
/// </summary>
public sealed class LockConnectionSource : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public LockConnectionSource(IConfiguration configuration, IHostEnvironment environment)
    {
        var builder = new NpgsqlDataSourceBuilder(configuration.GetRequiredString(PostgresExtensions.ConnectionStringKey));
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.ApplicationName = $"{builder.ConnectionStringBuilder.ApplicationName ?? environment.ApplicationName} release lock";
        _dataSource = builder.Build();
    }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
