using System.Collections.Concurrent;
using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Starts a campaign's consumer on its first grab and stops consumers that served no grab for
/// Grab:IdleConsumerSeconds (their buffered packets go back to the queue for the other replicas).
/// A consumer whose campaign is closed is stopped within about a second (Grab:ClosedCheckMilliseconds):
/// its buffered packets go back to the queue, where monitor's close drains and expires them.
/// </summary>
public sealed class ConsumerRegistry(
    RabbitMqConnection connection,
    CampaignStateCache states,
    IOptions<GrabOptions> options,
    ILogger<CampaignConsumer> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<long, Lazy<Task<CampaignConsumer>>> _consumers = new();

    public ValueTask<CampaignConsumer> GetAsync(long campaignId, CancellationToken cancellationToken)
    {
        var lazy = _consumers.GetOrAdd(campaignId, id => new Lazy<Task<CampaignConsumer>>(() => StartAsync(id)));
        var task = lazy.Value;
        if (task.IsCompletedSuccessfully && task.Result.IsBroken
            && _consumers.TryRemove(new KeyValuePair<long, Lazy<Task<CampaignConsumer>>>(campaignId, lazy)))
        {
            logger.LogWarning("Campaign {CampaignId}: consumer channel closed by the broker, or its connection replaced; starting a new one", campaignId);
            _ = task.Result.DisposeAsync().AsTask();
            return GetAsync(campaignId, cancellationToken);
        }
        return task.IsCompletedSuccessfully ? ValueTask.FromResult(task.Result) : AwaitAsync(campaignId, lazy, cancellationToken);
    }

    /// <summary>The campaign's running consumer on this replica, if any; never starts one.</summary>
    public CampaignConsumer? Find(long campaignId) =>
        _consumers.TryGetValue(campaignId, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully ? lazy.Value.Result : null;

    private async ValueTask<CampaignConsumer> AwaitAsync(long campaignId, Lazy<Task<CampaignConsumer>> lazy, CancellationToken cancellationToken)
    {
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _consumers.TryRemove(new KeyValuePair<long, Lazy<Task<CampaignConsumer>>>(campaignId, lazy));
            throw;
        }
    }

    private async Task<CampaignConsumer> StartAsync(long campaignId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var state = await states.GetAsync(campaignId, timeout.Token);
        var prefetch = PrefetchFor(state.LargestBatch, options.Value.Prefetch);
        var conn = await connection.GetAsync(timeout.Token);
        var consumer = await CampaignConsumer.StartAsync(campaignId, conn, prefetch, logger, timeout.Token, connection.ReplacedToken(conn));
        logger.LogInformation("Campaign {CampaignId}: consuming {Queue} with prefetch {Prefetch} (largest batch {LargestBatch})",
            campaignId, Topology.PacketQueue(campaignId), prefetch, state.LargestBatch);
        return consumer;
    }

    /// <summary>
    /// A campaign's prefetch: an eighth of its largest batch, so that one batch is spread over at least
    /// eight replicas' buffers instead of idling in one while others turn users away, and never less
    /// than min(128, Grab:Prefetch) nor more than Grab:Prefetch. A large prefetch keeps more claims in
    /// flight per replica (each holds its packet until its commit and ack): docs/performance.md.
    /// </summary>
    public static int PrefetchFor(long largestBatch, int maximum) =>
        (int)Math.Clamp(largestBatch / 8, Math.Min(FloorPrefetch, maximum), maximum);

    private const int FloorPrefetch = 128;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(options.Value.IdleConsumerSeconds).Ticks;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ClosedCheckMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (campaignId, lazy) in _consumers)
            {
                if (lazy.Value is not { IsCompletedSuccessfully: true } task)
                {
                    continue;
                }
                var reason = DateTime.UtcNow.Ticks - task.Result.LastUsedTicks > idle ? "idle"
                    : await IsClosedAsync(campaignId, stoppingToken) ? "campaign closed" : null;
                if (reason is not null && _consumers.TryRemove(new KeyValuePair<long, Lazy<Task<CampaignConsumer>>>(campaignId, lazy)))
                {
                    var buffered = task.Result.Buffered;
                    await task.Result.DisposeAsync();
                    logger.LogInformation("Campaign {CampaignId}: consumer stopped ({Reason}); {Buffered} buffered packets returned to the queue", campaignId, reason, buffered);
                }
            }
        }
    }

    /// <summary>From the shared state cache (one query per campaign per cache interval); unknown when the ledger cannot be read.</summary>
    private async Task<bool> IsClosedAsync(long campaignId, CancellationToken cancellationToken)
    {
        try
        {
            return (await states.GetAsync(campaignId, cancellationToken)).Status == CampaignState.Closed;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false; // checked again next tick
        }
    }

    /// <summary>Shutdown: every consumer stops and gives its buffered packets back.</summary>
    public async Task StopAllAsync()
    {
        foreach (var (campaignId, lazy) in _consumers)
        {
            if (_consumers.TryRemove(new KeyValuePair<long, Lazy<Task<CampaignConsumer>>>(campaignId, lazy)) && lazy.Value is { IsCompletedSuccessfully: true } task)
            {
                await task.Result.DisposeAsync();
            }
        }
    }
}
