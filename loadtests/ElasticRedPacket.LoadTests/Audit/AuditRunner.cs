using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>Where the audit reads the books: PostgreSQL (else monitor's API) and the queue (management API, else AMQP, else monitor).</summary>
/// <param name="Settle">How long the queue's sampled counts and the ledger must hold still before a clean verdict (management API only).</param>
public sealed record AuditSources(string? Postgres, string? RabbitMq, string? RabbitManagement, TimeSpan Settle);

/// <summary>
/// Runs the audit after the load: reads monitor, the ledger (PostgreSQL when a connection string is
/// known, else monitor's API) and the queue depth, checks, and while a check fails retries every
/// half second until <c>wait</c> runs out (monitor's statistics and in-flight claims settle within seconds).
/// The management API's counts are samples up to two statistics intervals old, so with them a
/// clean verdict also needs the figures unchanged for <see cref="AuditSources.Settle"/>: a packet
/// lost moments ago could otherwise still be counted as unacked.
/// </summary>
public sealed class AuditRunner(ErpClient client, AuditSources sources, TextWriter log)
{
    private readonly RabbitManagementReader? _management = sources.RabbitManagement is { Length: > 0 } url ? new RabbitManagementReader(url) : null;

    public async Task<AuditReport> RunAsync(long campaignId, long totalCents, Func<HarnessCounts> harness, TimeSpan wait, CancellationToken cancellationToken)
    {
        var settle = _management is null ? TimeSpan.Zero : sources.Settle;
        // The wait always leaves room for one settle period after the first read.
        var deadline = Stopwatch.GetTimestamp() + Ticks(wait > settle ? wait : settle + TimeSpan.FromSeconds(1));
        var attempt = 0;
        (Figures Figures, long Since)? held = null;
        while (true)
        {
            attempt++;
            AuditReport report;
            Figures? figures = null;
            try
            {
                (report, var ledger) = await ReadAndCheckAsync(campaignId, totalCents, harness(), cancellationToken);
                figures = Figures.Of(ledger);
            }
            catch (Exception ex) when (ex is HarnessException or HttpRequestException or TaskCanceledException or Npgsql.NpgsqlException
                or RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Books that cannot be read cannot be shown to balance: the audit fails (and says why) rather than the harness.
                cancellationToken.ThrowIfCancellationRequested();
                report = new AuditReport(campaignId, "unreadable", [new AuditCheck("the books can be read", false, ex.Message)]);
            }
            var now = Stopwatch.GetTimestamp();
            if (figures is { } current && held?.Figures != current)
            {
                held = (current, now); // new figures: the settle clock starts again
            }
            var settled = figures is not null && Stopwatch.GetElapsedTime(held!.Value.Since, now) >= settle;
            if ((report.Passed && settled) || now >= deadline)
            {
                if (report.Passed && !settled)
                {
                    report = report with
                    {
                        Checks = [.. report.Checks, new AuditCheck("queue counts held still (3)", false,
                            $"the management API's counts or the ledger changed within the last {settle.TotalSeconds:0.#} s, so they may still lag the queue")],
                    };
                }
                var still = settle > TimeSpan.Zero && report.Passed ? $", figures unchanged for {settle.TotalSeconds:0.#} s" : "";
                await log.WriteLineAsync($"audit of campaign {campaignId} ({report.Source}{still}, attempt {attempt}): {(report.Passed ? "clean" : "FAILED")}");
                return report;
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private async Task<(AuditReport, CampaignLedger)> ReadAndCheckAsync(long campaignId, long totalCents, HarnessCounts harness, CancellationToken cancellationToken)
    {
        var monitor = await client.GetCampaignAsync(campaignId, cancellationToken);
        var queue = _management is not null ? await _management.ReadAsync(campaignId, cancellationToken)
            : sources.RabbitMq is { Length: > 0 } rabbitMq ? await new RabbitQueueReader(rabbitMq).ReadAsync(campaignId, cancellationToken)
            : new QueueDepth(monitor.InQueue, null, "monitor's inQueue");
        var ledger = sources.Postgres is { Length: > 0 } postgres
            ? await new PostgresLedgerReader(postgres).ReadAsync(campaignId, queue, cancellationToken)
            : await new MonitorLedgerReader(client).ReadAsync(campaignId, totalCents, monitor, queue, cancellationToken);
        return (LedgerAudit.Check(new AuditInput(ledger, monitor, harness)), ledger);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>What the balance check reads from sampled or still-moving sources.</summary>
    private readonly record struct Figures(long Ready, long? Unacked, int Claims, long Released, long Expired)
    {
        public static Figures Of(CampaignLedger ledger) =>
            new(ledger.Queue.Ready, ledger.Queue.Unacked, ledger.Claims.Count, ledger.Released, ledger.Expired);
    }
}
