using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>
/// Runs the audit after the load: reads monitor, the ledger (PostgreSQL when a connection string is
/// known, else monitor's API) and the queue depth, checks, and while a check fails retries every
/// half second until <c>wait</c> runs out (monitor's statistics and in-flight claims settle within seconds).
/// </summary>
public sealed class AuditRunner(ErpClient client, string? postgres, string? rabbitMq, TextWriter log)
{
    public async Task<AuditReport> RunAsync(long campaignId, long totalCents, Func<HarnessCounts> harness, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        var attempt = 0;
        while (true)
        {
            attempt++;
            AuditReport report;
            try
            {
                report = await ReadAndCheckAsync(campaignId, totalCents, harness(), cancellationToken);
            }
            catch (Exception ex) when (ex is HarnessException or HttpRequestException or Npgsql.NpgsqlException
                or RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Books that cannot be read cannot be shown to balance: the audit fails (and says why) rather than the harness.
                report = new AuditReport(campaignId, "unreadable", [new AuditCheck("the books can be read", false, ex.Message)]);
            }
            if (report.Passed || Stopwatch.GetTimestamp() >= deadline)
            {
                await log.WriteLineAsync($"audit of campaign {campaignId} ({report.Source}, attempt {attempt}): {(report.Passed ? "clean" : "FAILED")}");
                return report;
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private async Task<AuditReport> ReadAndCheckAsync(long campaignId, long totalCents, HarnessCounts harness, CancellationToken cancellationToken)
    {
        var monitor = await client.GetCampaignAsync(campaignId, cancellationToken);
        CampaignLedger ledger;
        if (postgres is { Length: > 0 })
        {
            var inQueue = rabbitMq is { Length: > 0 }
                ? await new RabbitQueueReader(rabbitMq).ReadyCountAsync(campaignId, cancellationToken)
                : monitor.InQueue;
            ledger = await new PostgresLedgerReader(postgres).ReadAsync(campaignId, inQueue, cancellationToken);
        }
        else
        {
            ledger = await new MonitorLedgerReader(client).ReadAsync(campaignId, totalCents, monitor, cancellationToken);
        }
        return LedgerAudit.Check(new AuditInput(ledger, monitor, harness));
    }
}
