namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>Once a second, asks <see cref="RabbitMqConnection.ReplaceIfStuckAsync"/> whether the connection needs replacing.</summary>
internal sealed class StuckConnectionWatchdog(RabbitMqConnection connection, IOptions<RabbitMqOptions> options, ILogger<StuckConnectionWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stuckAfter = TimeSpan.FromSeconds(options.Value.ReplaceStuckAfterSeconds);
        if (stuckAfter <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await connection.ReplaceIfStuckAsync(stuckAfter, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A failed check must not stop the host (a BackgroundService that throws does): try again next tick.
                logger.LogWarning(ex, "Checking the RabbitMQ connection failed");
            }
        }
    }
}
