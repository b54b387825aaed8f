using Dapper;
using Npgsql;

namespace ElasticRedPacket.Monitor.Features.Releasing;

/// <summary>The lock's connection died or no longer holds the lock: whatever was under way is abandoned, unmarked.</summary>
public sealed class ReleaseLockLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The PostgreSQL session advisory lock that makes one monitor replica at a time the releaser (and
/// lets close wait for a release in progress). It lives on a dedicated unpooled connection: if that
/// connection dies, PostgreSQL drops the lock with it and another replica may take over, so the holder
/// checks the lock before each chunk it publishes and writes its results (a batch marked released)
/// in a transaction on this same connection, which cannot commit once the lock is gone.
/// </summary>
public sealed class ReleaseLock(LockConnectionSource connections) : IAsyncDisposable
{
    // Arbitrary constant: "ERP_REL". A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
    public const long Key = 0x4552_505f_5245_4c;
    private const string HeldSql = """
        SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                       AND classid::bigint = (@Key >> 32) AND objid::bigint = (@Key & 4294967295) AND objsubid = 1)
        """;
    private NpgsqlConnection? _connection;

    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is null || _connection.FullState != System.Data.ConnectionState.Open)
            {
                await DisposeConnectionAsync();
                _connection = await connections.OpenAsync(cancellationToken);
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

    /// <summary>Throws <see cref="ReleaseLockLostException"/> unless this session still holds the lock.</summary>
    public Task EnsureHeldAsync(CancellationToken cancellationToken) =>
        WhileHeldAsync(static (_, _) => Task.FromResult(true), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on the lock's connection after checking the lock is
    /// held there. The lock is a session lock, so it cannot vanish while the session lives: if the
    /// connection dies before the commit, the work is rolled back and the lock is gone together.
    /// </summary>
    public async Task<T> WhileHeldAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = _connection ?? throw new ReleaseLockLostException("The release lock is not held.");
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(HeldSql, new { Key }, transaction, cancellationToken: cancellationToken)))
            {
                throw new ReleaseLockLostException("This session no longer holds the release lock.");
            }
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            await DisposeConnectionAsync();
            throw new ReleaseLockLostException($"The release lock's connection failed: {ex.Message}", ex);
        }
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
            // Closing the unpooled connection ends the session, and the lock with it.
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
