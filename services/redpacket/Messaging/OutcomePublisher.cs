using System.Text.Json;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Every Grab:OutcomeFlushMilliseconds, publishes the counts since the last batch as one OutcomeBatch
/// (persistent, confirmed). A batch that fails is retried as it is, same BatchId (monitor counts a
/// BatchId once), before any newer counts; newer counts wait in memory. The last flush runs at shutdown.
/// </summary>
public sealed partial class OutcomePublisher(
    OutcomeRecorder recorder,
    ConfirmingPublisher publisher,
    IOptions<GrabOptions> options,
    TimeProvider time,
    ILogger<OutcomePublisher> logger) : BackgroundService
{
    private readonly string _source = Environment.GetEnvironmentVariable("ERP_REPLICA") ?? Environment.MachineName;
    private OutcomeBatch? _unconfirmed;
    private DateTimeOffset _from = time.GetUtcNow();
    private bool _declared;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.OutcomeFlushMilliseconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Not cancelled by shutdown: an interrupted publish would leave its batch unconfirmed.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await FlushAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        for (var attempt = 0; attempt < 3 && !await FlushAsync(timeout.Token); attempt++)
        {
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>True when nothing is left unpublished.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_declared)
            {
                await publisher.DeclareAsync(channel => Topology.DeclareSharedAsync(channel, cancellationToken), cancellationToken);
                _declared = true;
            }
            if (_unconfirmed is not null)
            {
                await PublishAsync(_unconfirmed, cancellationToken);
                _unconfirmed = null;
            }
            var counts = recorder.Drain();
            if (counts.Count == 0)
            {
                return true;
            }
            var now = time.GetUtcNow();
            _unconfirmed = new OutcomeBatch(Guid.NewGuid(), _source, _from, now, counts);
            _from = now;
            await PublishAsync(_unconfirmed, cancellationToken);
            _unconfirmed = null;
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPublishFailed(logger, ex.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task PublishAsync(OutcomeBatch batch, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(batch, MessagingJsonContext.Default.OutcomeBatch);
        await publisher.PublishAsync(Topology.OutcomeExchange, "", body, batch.BatchId.ToString(), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome batch not published ({Reason}); kept for the next flush")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
