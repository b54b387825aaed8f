using System.Text;
using RabbitMQ.Client;

namespace ElasticRedPacket.TestSupport;

/// <summary>Finds one message in a dead-letter queue by its MessageId, leaving the others there.</summary>
public static class DeadLetters
{
    /// <summary>Takes the message (acks it) and returns its properties, or null when it does not arrive within <paramref name="timeout"/>.</summary>
    public static async Task<IReadOnlyBasicProperties?> TakeAsync(IConnection connection, string queue, string messageId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            // Look without taking the others: the unacked ones go back when the channel closes.
            await using var channel = await connection.CreateChannelAsync();
            while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
            {
                if (message.BasicProperties.MessageId == messageId)
                {
                    await channel.BasicAckAsync(message.DeliveryTag, false);
                    return message.BasicProperties;
                }
            }
            await channel.CloseAsync();
            await Task.Delay(200);
        }
        return null;
    }

    /// <summary>
    /// How many messages in <paramref name="queue"/> were dead-lettered out of <paramref name="sourceQueue"/>
    /// (their first x-death entry names it). Looks at every message and takes none: the channel closes with them unacked.
    /// </summary>
    public static async Task<int> CountFromAsync(IConnection connection, string queue, string sourceQueue)
    {
        var count = 0;
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
        {
            if (FirstDeath(message.BasicProperties) is { } death && Text(death, "queue") == sourceQueue)
            {
                count++;
            }
        }
        await channel.CloseAsync();
        return count;
    }

    /// <summary>Why and how often the broker dead-lettered a message (its first x-death entry): ("rejected", 1), ("delivery_limit", 1), ...</summary>
    public static (string Reason, long Count) Death(IReadOnlyBasicProperties properties)
    {
        if (FirstDeath(properties) is not { } death)
        {
            return ("(no x-death header)", 0);
        }
        var count = death.TryGetValue("count", out var c) ? Convert.ToInt64(c, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (Text(death, "reason") ?? "(none)", count);
    }

    private static IDictionary<string, object>? FirstDeath(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue("x-death", out var value) == true && value is IList<object> { Count: > 0 } deaths
            ? deaths[0] as IDictionary<string, object>
            : null;

    private static string? Text(IDictionary<string, object> death, string field) =>
        death.TryGetValue(field, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
