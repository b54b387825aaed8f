using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ElasticRedPacket.TestSupport;

/// <summary>Who consumes a queue, from RabbitMQ's management API (refreshed every second on the local stacks).</summary>
public static class RabbitConsumers
{
    /// <summary>The client-side ports of the connections that hold a consumer on <paramref name="queue"/>.</summary>
    public static async Task<IReadOnlyList<int>> ConnectionPortsAsync(string queue)
    {
        var management = new Uri(StackEnvironment.Current.RabbitMqManagement);
        using var client = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(10) };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo)));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/consumers/%2F", UriKind.Relative)));
        return json.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("queue").GetProperty("name").GetString() == queue)
            .Select(c => c.GetProperty("channel_details").GetProperty("peer_port").GetInt32())
            .ToList();
    }

    /// <summary>Polls until a connection from <paramref name="localPort"/> consumes <paramref name="queue"/>; false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitForConsumerAsync(string queue, int localPort, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await ConnectionPortsAsync(queue)).Contains(localPort))
            {
                return true;
            }
            await Task.Delay(250);
        }
        return false;
    }
}
