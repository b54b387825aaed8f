using System.Collections.Concurrent;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Starts a campaign's consumer on its first grab and stops consumers that served no grab for
/// Grab:IdleConsumerSeconds (their buffered packets go back to the queue for the other replicas).
/// </summary>
public sealed class ConsumerRegistry(RabbitMqConnection connection, IOptions<GrabOptions> options, ILogger<CampaignConsumer> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<long, Lazy<Task<CampaignConsumer>>> _consumers = new();

    public ValueTask<CampaignConsumer> GetAsync(long campaignId, CancellationToken cancellationToken)
    {
        var lazy = _consumers.GetOrAdd(campaignId, id => new Lazy<Task<CampaignConsumer>>(() => StartAsync(id)));
        var task = lazy.Value;
        if (task.IsCompletedSuccessfully && task.Result.IsBroken
            && _consumers.TryRemove(new KeyValuePair<long, Lazy<Task<CampaignConsumer>>>(campaignId, lazy)))
        {
            logger.LogWarning("Campaign {CampaignId}: consumer channel closed by the broker; starting a new one", campaignId);
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
        var conn = await connection.GetAsync(timeout.Token);
        var consumer = await CampaignConsumer.StartAsync(campaignId, conn, options.Value.Prefetch, logger, timeout.Token);
        logger.LogInformation("Campaign {CampaignId}: consuming {Queue} with prefetch {Prefetch}", campaignId, Topology.PacketQueue(campaignId), options.Value.Prefetch);
        return consumer;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(options.Value.IdleConsumerSeconds).Ticks;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(10, options.Value.IdleConsumerSeconds)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (campaignId, lazy) in _consumers)
            {
                if (lazy.Value is { IsCompletedSuccessfully: true } task && DateTime.UtcNow.Ticks - task.Result.LastUsedTicks > idle
                    && _consumers.TryRemove(new KeyValuePair<long, Lazy<Task<CampaignConsumer>>>(campaignId, lazy)))
                {
                    logger.LogInformation("Campaign {CampaignId}: consumer idle, stopped", campaignId);
                    await task.Result.DisposeAsync();
                }
            }
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
