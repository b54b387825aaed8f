using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>
/// The process's long-lived RabbitMQ connection. Automatic recovery re-opens it and its channels
/// (and re-declares topology and consumers) after a broker restart; the first connect is retried
/// with backoff so a service can start before the broker is up. When recovery never runs (see
/// <see cref="ReplaceIfStuckAsync"/>) the connection is replaced, and whoever consumes on it starts
/// again on the new one when <see cref="ReplacedToken"/> fires.
/// </summary>
public sealed class RabbitMqConnection(ConnectionFactory factory, ILogger<RabbitMqConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Incarnation? _current;
    private long _closedSinceMs;

    /// <summary>One connection and the token that tells its users it has been replaced.</summary>
    private sealed record Incarnation(IConnection Connection, CancellationTokenSource Replaced);

    public bool IsOpen => _current?.Connection.IsOpen == true;

    public async ValueTask<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } existing)
        {
            return existing.Connection;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var delay = TimeSpan.FromMilliseconds(500);
            while (_current is null)
            {
                try
                {
                    _current = new Incarnation(await CreateAsync(cancellationToken), new CancellationTokenSource());
                }
                catch (Exception ex) when (IsUnreachable(ex))
                {
                    logger.LogWarning("RabbitMQ not reachable ({Message}); retrying in {Delay}", ex.Message, delay);
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
                }
            }
            return _current.Connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Cancelled once <paramref name="connection"/> has been replaced (already cancelled if it was):
    /// consumers on it will never be recovered and must start again on <see cref="GetAsync"/>'s connection.
    /// </summary>
    public CancellationToken ReplacedToken(IConnection connection) =>
        _current is { } current && ReferenceEquals(current.Connection, connection) ? current.Replaced.Token : new CancellationToken(canceled: true);

    /// <summary>
    /// The fallback for a connection whose automatic recovery never runs (rabbitmq-dotnet-client issue
    /// 1871; once in this project's CI, monitor stayed unready for minutes after a broker restart). Called
    /// about once a second: when the connection has been closed for <paramref name="stuckAfter"/>, the
    /// broker accepts a new connection, and the old one is still closed two recovery intervals later
    /// (the client's recovery had its chances), the new connection takes its place. The old one is aborted,
    /// which also stops any late recovery, so no consumer on it can come back holding unacked messages;
    /// those went back to their queues when it closed.
    /// </summary>
    /// <returns>true when the connection was replaced.</returns>
    public async Task<bool> ReplaceIfStuckAsync(TimeSpan stuckAfter, CancellationToken cancellationToken)
    {
        if (_current is not { } current || current.Connection.IsOpen)
        {
            _closedSinceMs = 0;
            return false;
        }
        var now = Environment.TickCount64;
        if (_closedSinceMs == 0)
        {
            _closedSinceMs = now;
        }
        if (now - _closedSinceMs < stuckAfter.TotalMilliseconds)
        {
            return false;
        }
        IConnection fresh;
        try
        {
            fresh = await CreateAsync(cancellationToken);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            return false; // the broker is still away: the client's recovery and this check both go on
        }
        var replaced = false;
        try
        {
            await Task.Delay(factory.NetworkRecoveryInterval * 2 + TimeSpan.FromMilliseconds(500), cancellationToken);
            if (!current.Connection.IsOpen)
            {
                logger.LogWarning("RabbitMQ connection stayed closed for {Seconds:0} s although the broker accepts connections; replaced it with a new one (its consumers start again)",
                    (Environment.TickCount64 - _closedSinceMs) / 1000.0);
                _current = new Incarnation(fresh, new CancellationTokenSource());
                replaced = true;
            }
        }
        finally
        {
            _closedSinceMs = 0;
            if (!replaced)
            {
                await fresh.AbortAsync(TimeSpan.FromSeconds(5)); // recovered after all, or stopping
                fresh.Dispose();
            }
        }
        if (!replaced)
        {
            return false;
        }
        current.Replaced.Cancel();
        await current.Connection.AbortAsync(TimeSpan.FromSeconds(5));
        current.Connection.Dispose();
        return true;
    }

    private async Task<IConnection> CreateAsync(CancellationToken cancellationToken)
    {
        var created = await factory.CreateConnectionAsync(cancellationToken);
        LogRecovery(created);
        return created;
    }

    private static bool IsUnreachable(Exception ex) => ex is BrokerUnreachableException or IOException;

    /// <summary>
    /// Automatic recovery is the client's; these lines say whether it ran. Once in CI (session 7) a
    /// service's connection stayed closed after a broker restart while the others recovered
    /// (rabbitmq-dotnet-client issue 1871): the log shows which step stopped.
    /// </summary>
    private void LogRecovery(IConnection connection)
    {
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            logger.LogWarning("RabbitMQ connection closed by {Initiator}: {Code} {Text}", e.Initiator, e.ReplyCode, e.ReplyText);
            return Task.CompletedTask;
        };
        connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            logger.LogWarning(e.Exception, "RabbitMQ connection recovery attempt failed; the client retries");
            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            logger.LogInformation("RabbitMQ connection recovered");
            return Task.CompletedTask;
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is { } current)
        {
            await current.Connection.CloseAsync();
            current.Connection.Dispose();
            current.Replaced.Dispose();
        }
        _gate.Dispose();
    }
}
