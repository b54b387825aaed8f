using Dapper;
using Npgsql;

namespace ElasticRedPacket.Monitor.Features.Releasing;

/// <summary>
/// The PostgreSQL session advisory lock that makes one monitor replica at a time the releaser (and
/// lets close wait for a release in progress). It lives on a dedicated connection: if that
/// connection dies, PostgreSQL drops the lock with it, and the holder finds out on its next call.
/// </summary>
public sealed class ReleaseLock(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    // Arbitrary constant: "ERP_REL".
    private const long Key = 0x4552_505f_5245_4c;
    private NpgsqlConnection? _connection;

    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is null || _connection.FullState != System.Data.ConnectionState.Open)
            {
                await DisposeConnectionAsync();
                _connection = await dataSource.OpenConnectionAsync(cancellationToken);
            }
            return await _connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(@Key)", new { Key }, cancellationToken: cancellationToken));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection holds no lock; start from a fresh one next time.
            await DisposeConnectionAsync();
            throw;
        }
    }

    /// <summary>Waits (polling, so cancellation works) until the lock is free or the timeout passes.</summary>
    public async Task<bool> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await TryAcquireAsync(cancellationToken))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(50, cancellationToken);
        }
        return true;
    }

    public async Task ReleaseAsync()
    {
        if (_connection is null)
        {
            return;
        }
        try
        {
            await _connection.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { Key });
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone, and the lock with it.
            await DisposeConnectionAsync();
        }
    }

    private async ValueTask DisposeConnectionAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    public ValueTask DisposeAsync() => DisposeConnectionAsync();
}
