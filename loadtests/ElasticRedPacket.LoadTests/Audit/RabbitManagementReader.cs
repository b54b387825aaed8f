using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>
/// A campaign queue's ready and unacked counts from RabbitMQ's management HTTP API
/// (<c>GET /api/queues/{vhost}/{name}</c>, basic auth from the URL's user info). Unlike a passive
/// declare it sees the deliveries redpacket consumers hold unacked in their prefetch buffers. Its
/// figures are samples (refreshed every collect_statistics_interval, and for quorum queues on
/// their quorum_tick_interval), so <see cref="AuditRunner"/> waits for them to hold still.
/// </summary>
public sealed class RabbitManagementReader
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _api;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string _vhost;

    /// <param name="url">The management listener, e.g. http://user:password@127.0.0.1:15672/ (the stack.env's ERP_RABBITMQ_MANAGEMENT).</param>
    /// <param name="vhost">The virtual host of the packet queues (the services use the default, /).</param>
    public RabbitManagementReader(string url, string vhost = "/")
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new HarnessException($"the RabbitMQ management URL is not an http(s) URL: {Redact(url)}");
        }
        if (uri.UserInfo.Length > 0)
        {
            var credentials = Uri.UnescapeDataString(uri.UserInfo);
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        }
        var root = new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString().TrimEnd('/');
        _api = new Uri(root + "/api/");
        _vhost = vhost;
    }

    public Task<QueueDepth> ReadAsync(long campaignId, CancellationToken cancellationToken) =>
        ReadQueueAsync(Topology.PacketQueue(campaignId), cancellationToken);

    public async Task<QueueDepth> ReadQueueAsync(string queue, CancellationToken cancellationToken)
    {
        var address = new Uri(_api, $"queues/{Uri.EscapeDataString(_vhost)}/{Uri.EscapeDataString(queue)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Authorization = _authorization;
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new QueueDepth(0, 0, Source); // no batch released yet: the queue does not exist
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new HarnessException($"RabbitMQ management API answered {(int)response.StatusCode} for queue {queue}"
                + (response.StatusCode == HttpStatusCode.Unauthorized ? " (check the user and password in the management URL)" : ""));
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        // A queue declared moments ago has no sampled counts yet: unreadable for now, the runner retries.
        if (!json.RootElement.TryGetProperty("messages_ready", out var ready) || !json.RootElement.TryGetProperty("messages_unacknowledged", out var unacked))
        {
            throw new HarnessException($"RabbitMQ management API has no message counts for queue {queue} yet");
        }
        return new QueueDepth(ready.GetInt64(), unacked.GetInt64(), Source);
    }

    private const string Source = "RabbitMQ management API";

    private static string Redact(string url) => System.Text.RegularExpressions.Regex.Replace(url, "//[^@/]*@", "//***@");
}
