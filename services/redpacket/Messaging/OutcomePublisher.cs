using System.Text.Json;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Publishes each generation of outcome counts as one OutcomeBatch (persistent, confirmed) once the
/// previous one is confirmed and its first waiting answer has waited Grab:OutcomeGatherMilliseconds (so
/// answers gather), then lets the answers that waited for it go. Counts no answer waits for (won) go
/// with that batch, or after Grab:OutcomeFlushMilliseconds when no answer waits. A publish not confirmed
/// within Grab:OutcomeDurableWaitMilliseconds fails; its answers go anyway, and until a publish
/// succeeds again answers do not wait (a broker outage must not add a second to every answer): the
/// counts stay in memory and a failed batch is retried as it is, same BatchId (monitor counts a BatchId
/// once), before any newer one. The last batches are published at shutdown.
/// </summary>
public sealed partial class OutcomePublisher(
    OutcomeRecorder recorder,
    ConfirmingPublisher publisher,
    IOptions<GrabOptions> options,
    TimeProvider time,
    ILogger<OutcomePublisher> logger) : BackgroundService
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);
    private readonly string _source = Environment.GetEnvironmentVariable("ERP_REPLICA") ?? Environment.MachineName;
    private readonly Queue<PendingBatch> _unconfirmed = new();
    // The loop and the last publish at stop never run at once: the host may stop waiting for the loop.
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly TimeSpan _durableWait = TimeSpan.FromMilliseconds(options.Value.OutcomeDurableWaitMilliseconds);
    private readonly TimeSpan _gather = TimeSpan.FromMilliseconds(options.Value.OutcomeGatherMilliseconds);
    private readonly TimeSpan _flush = TimeSpan.FromMilliseconds(options.Value.OutcomeFlushMilliseconds);
    private DateTimeOffset _from = time.GetUtcNow();
    private bool _declared;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // With batches left over from a failure, retry them after a pause even if no answer comes;
                // counts nobody waits for (won) go after the flush interval.
                var wait = _unconfirmed.Count > 0 ? RetryPause : _flush;
                if (await recorder.WaitForAwaitedCountsAsync(wait, stoppingToken)
                    && _gather - recorder.OpenAwaitedFor() is { Ticks: > 0 } gatherLeft)
                {
                    // Let the generation gather answers a moment: every batch costs a quorum-queue write
                    // and a monitor transaction, and at thousands of grabs a second confirms alone come back
                    // so fast that batches would hold a handful of answers each. Answers that arrived during
                    // the last publish have gathered already.
                    await Task.Delay(gatherLeft, stoppingToken);
                }
                if (!await PublishAsync() && _unconfirmed.Count > 0)
                {
                    await Task.Delay(RetryPause, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The web server has finished its requests by now (it stops first): this publishes the last answers.
        await base.StopAsync(cancellationToken);
        for (var attempt = 0; attempt < 3 && !await PublishAsync(); attempt++)
        {
            await Task.Delay(RetryPause, CancellationToken.None);
        }
        if (await _publishing.WaitAsync(_durableWait * 3, CancellationToken.None))
        {
            foreach (var pending in _unconfirmed)
            {
                pending.Generation.Release();
            }
            _publishing.Release();
        }
    }

    /// <summary>Takes the open generation and publishes everything unconfirmed in order; true when nothing is left.</summary>
    private async Task<bool> PublishAsync()
    {
        // Bounded: a publish the loop left hanging at shutdown (a closing connection) must not hang the stop.
        if (!await _publishing.WaitAsync(_durableWait * 3, CancellationToken.None))
        {
            return false;
        }
        try
        {
            return await PublishUnconfirmedAsync();
        }
        finally
        {
            _publishing.Release();
        }
    }

    private async Task<bool> PublishUnconfirmedAsync()
    {
        if (recorder.TakeOpen() is { } generation)
        {
            var now = time.GetUtcNow();
            _unconfirmed.Enqueue(new PendingBatch(new OutcomeBatch(Guid.NewGuid(), _source, _from, now, generation.ToCounts()), generation));
            _from = now;
        }
        while (_unconfirmed.TryPeek(out var pending))
        {
            // Not the stopping token: an interrupted publish would only be retried; a bounded attempt is enough.
            using var timeout = new CancellationTokenSource(_durableWait);
            try
            {
                if (!_declared)
                {
                    await publisher.DeclareAsync(channel => Topology.DeclareSharedAsync(channel, timeout.Token), timeout.Token);
                    _declared = true;
                }
                var body = JsonSerializer.SerializeToUtf8Bytes(pending.Batch, MessagingJsonContext.Default.OutcomeBatch);
                await publisher.PublishAsync(Topology.OutcomeExchange, "", body, pending.Batch.BatchId.ToString(), timeout.Token);
            }
            catch (Exception ex)
            {
                if (recorder.BrokerAnswering)
                {
                    LogBrokerNotAnswering(logger, _unconfirmed.Count, ex.Message);
                }
                recorder.BrokerAnswering = false;
                foreach (var waiting in _unconfirmed)
                {
                    waiting.Generation.Release();
                }
                return false;
            }
            _unconfirmed.Dequeue();
            pending.Generation.Release();
        }
        if (!recorder.BrokerAnswering)
        {
            recorder.BrokerAnswering = true;
            LogBrokerAnsweringAgain(logger);
        }
        return true;
    }

    private sealed record PendingBatch(OutcomeBatch Batch, OutcomeGeneration Generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome batch not published ({Unconfirmed} waiting: {Reason}); answers go without waiting for their counts until RabbitMQ confirms again")]
    private static partial void LogBrokerNotAnswering(ILogger logger, int unconfirmed, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outcome batches confirmed again: answers wait for their counts")]
    private static partial void LogBrokerAnsweringAgain(ILogger logger);
}
