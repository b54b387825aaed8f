using ElasticRedPacket.RedPacket.Features;
using ElasticRedPacket.RedPacket.Messaging;

namespace ElasticRedPacket.RedPacket.Services;

/// <summary>
/// Shutdown order (hosted services stop in reverse registration order; the web server stops first and
/// finishes in-flight requests): wait for grabs still running, then stop every consumer (buffered packets
/// are nacked back to the queue, channels closed); the claim batcher and the outcome publisher stop after.
/// </summary>
public sealed class GrabLifecycle(GrabService grabs, ConsumerRegistry consumers, ILogger<GrabLifecycle> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (grabs.InFlight > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }
        await consumers.StopAllAsync();
        logger.LogInformation("Consumers stopped; buffered packets returned to their queues");
    }
}
