namespace ElasticRedPacket.TestSupport;

/// <summary>Guarantees 1-4 for a campaign a <see cref="GrabLoad"/> sold out, checked from outside against the ledger and the queue.</summary>
public static class LedgerGuarantees
{
    public static async Task AssertSoldOutCleanlyAsync(CampaignSeeder seeder, SeededCampaign campaign, GrabLoad load)
    {
        var ledger = await seeder.ClaimsAsync(campaign.Id);
        // No oversell, one win per user (the ledger's constraints, checked from outside).
        Assert.Equal(ledger.Count, ledger.Select(c => c.PacketId).Distinct().Count());
        Assert.Equal(ledger.Count, ledger.Select(c => c.UserId).Distinct().Count());
        // No lost packet: every packet was claimed, nothing is left in the queue, the amounts add up.
        Assert.Equal(campaign.Packets.Count, ledger.Count);
        var queue = await seeder.QueueStateAsync(campaign.Id);
        Assert.Equal(0u, queue.Ready);
        // At most one consumer a replica: a second one would hold up to Grab:Prefetch packets unacked where no grab reaches them.
        Assert.True(queue.Consumers <= StackScripts.Replicas("redpacket"), $"{queue.Consumers} consumers on the campaign's queue, {StackScripts.Replicas("redpacket")} redpacket replicas");
        Assert.Equal(campaign.TotalCents, ledger.Sum(c => (long)c.AmountCents));
        // "won" only with a durable row, for that user and that packet.
        var rows = ledger.ToDictionary(c => c.UserId, c => c.PacketId);
        Assert.All(load.Won, w => Assert.True(rows.TryGetValue(w.Key, out var packet) && packet == w.Value,
            $"user {w.Key} heard won for packet {w.Value}; the ledger has {(rows.TryGetValue(w.Key, out var p) ? $"packet {p}" : "no row")}"));
        // A row nobody heard "won" for can only come from a request whose answer was lost (the client saw
        // an error) or that nginx retried on another replica, which answered already_won.
        var explained = load.Events.Where(e => e.IsError || e.Kind == "already_won").Select(e => e.UserId).ToHashSet();
        var unexplained = rows.Keys.Where(u => !load.Won.ContainsKey(u) && !explained.Contains(u)).ToList();
        Assert.True(unexplained.Count == 0, $"{unexplained.Count} rows for users who heard neither won, already_won nor an error: {string.Join(", ", unexplained.Take(5))}");
    }
}
