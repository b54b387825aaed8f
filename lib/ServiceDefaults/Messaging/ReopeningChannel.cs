using RabbitMQ.Client;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>
/// One long-lived channel that is opened on first use and opened again after it closes (a broker
/// restart, or a channel-level error such as a passive declare of a missing queue).
/// </summary>
public sealed class ReopeningChannel(RabbitMqConnection connection, CreateChannelOptions? options = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    public async ValueTask<IChannel> GetAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } reopened)
            {
                return reopened;
            }
            if (_channel is not null)
            {
                await _channel.DisposeAsync();
            }
            var conn = await connection.GetAsync(cancellationToken);
            _channel = await conn.CreateChannelAsync(options, cancellationToken);
            return _channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        _gate.Dispose();
    }
}
