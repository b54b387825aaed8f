using RabbitMQ.Client;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>
/// One long-lived publishing channel with publisher confirms (eShop opens a channel per publish and
/// never waits for a confirm; we do neither). <see cref="PublishAsync"/> completes only when the
/// broker has confirmed the message (for a quorum queue: a majority has it on disk); it throws when
/// the broker nacks, returns it as unroutable (mandatory) or the connection fails, so the caller can
/// keep what it has not yet marked done. Many publishes may be in flight on the channel at once.
/// </summary>
public sealed class ConfirmingPublisher(RabbitMqConnection connection) : IAsyncDisposable
{
    private readonly ReopeningChannel _channel = new(connection,
        new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    public async ValueTask PublishAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken)
    {
        var channel = await _channel.GetAsync(cancellationToken);
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = messageId,
            ContentType = "application/json",
        };
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, cancellationToken);
    }

    /// <summary>Publishes many messages with at most <paramref name="inFlight"/> unconfirmed at a time.</summary>
    public async Task PublishManyAsync<T>(IReadOnlyList<T> items, Func<T, (string Exchange, string RoutingKey, ReadOnlyMemory<byte> Body, string MessageId)> toMessage, int inFlight, CancellationToken cancellationToken)
    {
        var pending = new List<Task>(inFlight);
        foreach (var item in items)
        {
            var (exchange, routingKey, body, messageId) = toMessage(item);
            pending.Add(PublishAsync(exchange, routingKey, body, messageId, cancellationToken).AsTask());
            if (pending.Count >= inFlight)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
    }

    /// <summary>Runs a declaration (exchange, queue, binding) on the publishing channel.</summary>
    public async Task DeclareAsync(Func<IChannel, Task> declare, CancellationToken cancellationToken) =>
        await declare(await _channel.GetAsync(cancellationToken));

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
