using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>
/// The guarantees (docs/loadtest.md, ARCHITECTURE "Guarantees") checked on plain data: what the
/// harness counted, the ledger and packets from PostgreSQL (or monitor's API), the queue depth
/// from RabbitMQ, and monitor's statistics.
/// </summary>
public static class LedgerAudit
{
    public static AuditReport Check(AuditInput input)
    {
        var ledger = input.Ledger;
        var claims = ledger.Claims;
        var checks = new List<AuditCheck>();
        long Harness(string outcome) => input.Harness.Outcomes.GetValueOrDefault(outcome);

        // A request cut off after the system decided it (no answer came, or a kill -9 took the answer
        // with it) may have left a row or a count nobody heard; nothing else may.
        var unanswered = Harness(Metrics.OutcomeSet.TransportErrorName) + Harness(Metrics.OutcomeSet.HttpErrorName);
        var cutOff = unanswered + input.Harness.CutOff;
        var cutOffNote = cutOff > 0 ? $" ({unanswered} requests got no answer{(input.Harness.CutOff > 0 ? $", {input.Harness.CutOff} more may have been cut off by a fault" : "")}: each may have won unheard)" : "";

        var won = Harness(GrabOutcome.Won.Name());
        var unheardWins = claims.Count - won;
        checks.Add(new("won answers = ledger rows (4)", unheardWins >= 0 && unheardWins <= cutOff,
            $"harness counted {won} won, ledger has {claims.Count} rows" + cutOffNote));

        var ledgerCents = claims.Sum(c => c.AmountCents);
        if (input.Harness.WonCents >= 0)
        {
            checks.Add(new("won amounts = ledger amounts (4)", unheardWins == 0 ? input.Harness.WonCents == ledgerCents : input.Harness.WonCents < ledgerCents,
                $"won answers total {input.Harness.WonCents} cents, ledger {ledgerCents} cents"));
        }

        var packetDuplicates = claims.GroupBy(c => c.PacketId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        checks.Add(new("no packet claimed twice (1)", packetDuplicates.Count == 0,
            packetDuplicates.Count == 0 ? $"{claims.Count} distinct packets" : $"{packetDuplicates.Count} packets claimed more than once, e.g. {Sample(packetDuplicates)}"));

        var userDuplicates = claims.GroupBy(c => c.UserId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        checks.Add(new("one win per user (2)", userDuplicates.Count == 0,
            userDuplicates.Count == 0 ? $"{claims.Count} distinct winners" : $"{userDuplicates.Count} users won more than once, e.g. {Sample(userDuplicates)}"));

        checks.Add(new("sum claimed <= total (1)", ledgerCents <= ledger.TotalCents, $"claimed {ledgerCents} of {ledger.TotalCents} cents"));
        checks.Add(new("claims <= packets (1)", claims.Count <= ledger.PacketCount, $"{claims.Count} claims, {ledger.PacketCount} packets"));

        if (ledger.Packets is { } packets)
        {
            var byId = packets.ToDictionary(p => p.PacketId);
            var foreign = claims.Where(c => !byId.TryGetValue(c.PacketId, out var p) || p.AmountCents != c.AmountCents).Select(c => c.PacketId).ToList();
            checks.Add(new("each claim is a packet of the campaign, same amount (1)", foreign.Count == 0,
                foreign.Count == 0 ? $"{claims.Count} claims match their packets" : $"{foreign.Count} claims name a packet not in the campaign or another amount, e.g. {Sample(foreign)}"));
            checks.Add(new("packets sum to the total", packets.Sum(p => p.AmountCents) == ledger.TotalCents && packets.Count == ledger.PacketCount,
                $"{packets.Count} packets, {packets.Sum(p => p.AmountCents)} cents; campaign: {ledger.PacketCount} packets, {ledger.TotalCents} cents"));
        }

        checks.Add(Balance(ledger));

        if (input.Monitor is { } monitor)
        {
            var counts = GrabOutcomes.All
                .Select(name => (name, harness: Harness(name), monitor: monitor.Outcomes.GetValueOrDefault(name)))
                .Where(x => x.harness != x.monitor)
                .ToList();
            var lost = counts.Where(x => x.monitor < x.harness).Select(x => $"{x.name}: harness {x.harness}, monitor {x.monitor}").ToList();
            checks.Add(new("monitor's outcome counts hold every answer heard (5)", lost.Count == 0,
                lost.Count == 0 ? "no outcome counted less often than the harness heard it" : string.Join("; ", lost)));
            var unheard = counts.Sum(x => Math.Max(0, x.monitor - x.harness));
            checks.Add(new("monitor's outcome counts = harness counts (5)", unheard <= cutOff,
                unheard == 0 ? "every outcome equal"
                    : $"monitor counted {unheard} answers the harness did not hear ({string.Join("; ", counts.Where(x => x.monitor > x.harness).Select(x => $"{x.name}: harness {x.harness}, monitor {x.monitor}"))}); at most {cutOff} requests were cut off{cutOffNote}"));
            checks.Add(new("monitor's claimed = ledger rows (5)", monitor.Claimed == claims.Count,
                $"monitor {monitor.Claimed}, ledger {claims.Count}"));
        }
        return new AuditReport(ledger.CampaignId, $"{ledger.Source}; queue: {ledger.Queue.Source}", checks);
    }

    /// <summary>
    /// Guarantee 3. With the management API the queue's unacked deliveries (held in consumers'
    /// prefetch buffers, still owned by the queue) count as in queue, so the books balance at any
    /// quiescent point; with the ready count alone they balance only at sell-out or once consumers idle.
    /// </summary>
    private static AuditCheck Balance(CampaignLedger ledger)
    {
        var queue = ledger.Queue;
        var claimed = ledger.Claims.Count;
        var accounted = claimed + queue.InQueue + ledger.Expired;
        var inQueue = queue.Unacked is { } unacked
            ? $"in queue {queue.InQueue} (ready {queue.Ready} + unacked {unacked}, held in consumers' buffers)"
            : $"in queue {queue.Ready} (ready only)";
        var detail = $"released {ledger.Released}; claimed {claimed} + {inQueue} + expired {ledger.Expired} = {accounted}";
        if (ledger.Released > accounted)
        {
            detail += queue.Unacked is null
                ? $": {ledger.Released - accounted} packets unaccounted for (lost, or held unacked by a consumer: give the RabbitMQ management URL to tell them apart)"
                : $": {ledger.Released - accounted} packets lost";
        }
        if (queue.Unacked is null)
        {
            detail += $"; {queue.Source}: no RabbitMQ management URL, so packets held unacked in consumers' prefetch buffers are not seen";
        }
        return new AuditCheck("released = claimed + in queue + expired (3)", ledger.Released == accounted, detail);
    }

    private static string Sample(IEnumerable<long> ids) => string.Join(", ", ids.Take(5).Select(i => i.ToString(CultureInfo.InvariantCulture)));
}
