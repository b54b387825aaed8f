using RabbitMQ.Client;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>
/// The process's long-lived RabbitMQ connection. Automatic recovery re-opens it and its channels
/// (and re-declares topology and consumers) after a broker restart; the first connect is retried
/// with backoff so a service can start before the broker is up.
/// </summary>
public sealed class RabbitMqConnection(ConnectionFactory factory, ILogger<RabbitMqConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public bool IsOpen => _connection?.IsOpen == true;

    public async ValueTask<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } existing)
        {
            return existing;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var delay = TimeSpan.FromMilliseconds(500);
            while (_connection is null)
            {
                try
                {
                    _connection = await factory.CreateConnectionAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException)
                {
                    logger.LogWarning("RabbitMQ not reachable ({Message}); retrying in {Delay}", ex.Message, delay);
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
                }
            }
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.CloseAsync();
            connection.Dispose();
        }
        _gate.Dispose();
    }
}
