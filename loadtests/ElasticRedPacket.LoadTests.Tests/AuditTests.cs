using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class AuditTests
{
    // A campaign of 5 packets (total 500 cents), all released; 3 claimed, 2 still in the queue.
    private static readonly LedgerPacket[] Packets = [new(1, 50, false), new(2, 150, false), new(3, 100, false), new(4, 120, false), new(5, 80, false)];
    private static readonly LedgerClaim[] Claims = [new(1, 101, 50), new(2, 102, 150), new(3, 103, 100)];

    private static AuditInput Clean(
        IReadOnlyList<LedgerClaim>? claims = null, long released = 5, long inQueue = 2, long won = 3, long wonCents = 300,
        IReadOnlyDictionary<string, long>? monitorOutcomes = null, long? monitorClaimed = null, QueueDepth? queue = null,
        long transportErrors = 0, long cutOff = 0)
    {
        var ledger = new CampaignLedger(7, 500, 5, claims ?? Claims, Packets, released, queue ?? new QueueDepth(inQueue, 0, "test"), 0, "test");
        var harness = new Dictionary<string, long> { ["won"] = won, ["already_won"] = 40, ["sold_out"] = 12, ["transport_error"] = transportErrors };
        var monitor = new MonitorView(5, released, monitorClaimed ?? (claims ?? Claims).Count, inQueue, wonCents, monitorOutcomes ?? harness);
        return new AuditInput(ledger, monitor, new HarnessCounts(harness, wonCents, cutOff));
    }

    private static void AssertFailed(AuditReport report, params string[] prefixes)
    {
        var failed = report.Checks.Where(c => !c.Passed).Select(c => c.Name).ToList();
        Assert.False(report.Passed);
        foreach (var prefix in prefixes)
        {
            Assert.Contains(failed, name => name.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Check_ConsistentBooks_Passes()
    {
        var report = LedgerAudit.Check(Clean());
        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail)));
        Assert.Equal(12, report.Checks.Count);
    }

    [Fact]
    public void Check_PacketClaimedTwice_DetectsOversell()
    {
        // Packet 2 sold to two users, each told "won": the counts agree, the ledger shows the oversell.
        var oversold = Claims.Append(new LedgerClaim(2, 104, 150)).ToList();
        var report = LedgerAudit.Check(Clean(oversold, inQueue: 1, won: 4, wonCents: 450));
        AssertFailed(report, "no packet claimed twice");
    }

    [Fact]
    public void Check_MoreClaimedThanTheTotal_DetectsOversell()
    {
        // Rows for packets of another campaign (or invented amounts) push the sum over the total.
        var oversold = Claims.Concat([new LedgerClaim(4, 104, 120), new LedgerClaim(5, 105, 80), new LedgerClaim(99, 106, 400)]).ToList();
        var report = LedgerAudit.Check(Clean(oversold, inQueue: 0, won: 6, wonCents: 900));
        AssertFailed(report, "sum claimed <= total", "claims <= packets", "each claim is a packet of the campaign");
    }

    [Fact]
    public void Check_ReleasedPacketNeitherClaimedNorQueued_DetectsLostPacket()
    {
        var report = LedgerAudit.Check(Clean(inQueue: 1));
        AssertFailed(report, "released = claimed + in queue");
        Assert.EndsWith("1 packets lost", report.Checks.Single(c => !c.Passed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PacketsHeldUnackedByConsumers_AreNotReportedLost()
    {
        // Stopped before sell-out: the 2 unclaimed packets sit in consumers' prefetch buffers, none ready.
        var report = LedgerAudit.Check(Clean(queue: new QueueDepth(0, 2, "management")));
        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail)));
        Assert.Contains("ready 0 + unacked 2", report.Checks.Single(c => c.Name.StartsWith("released =", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LostPacketBesideUnackedOnes_IsStillDetected()
    {
        // One held unacked, one gone: neither ready, unacked nor claimed.
        var report = LedgerAudit.Check(Clean(queue: new QueueDepth(0, 1, "management")));
        AssertFailed(report, "released = claimed + in queue");
        Assert.EndsWith("1 packets lost", report.Checks.Single(c => !c.Passed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ReadyCountOnly_HeldPacketsShowAsUnaccountedWithANote()
    {
        // Without the management API the same books cannot tell held from lost: the check fails and says why.
        var report = LedgerAudit.Check(Clean(queue: new QueueDepth(0, null, "AMQP")));
        AssertFailed(report, "released = claimed + in queue");
        var detail = report.Checks.Single(c => !c.Passed).Detail;
        Assert.Contains("2 packets unaccounted for (lost, or held unacked", detail, StringComparison.Ordinal);
        Assert.Contains("no RabbitMQ management URL", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SameUserWinsTwice_DetectsDoubleWin()
    {
        var doubled = Claims.Append(new LedgerClaim(4, 101, 120)).ToList();
        var report = LedgerAudit.Check(Clean(doubled, inQueue: 1, won: 4, wonCents: 420));
        AssertFailed(report, "one win per user");
        Assert.Single(report.Checks, c => !c.Passed);
    }

    [Fact]
    public void Check_WonAnswersMoreThanLedgerRows_Fails()
    {
        // A "won" said without a durable row (guarantee 4).
        var report = LedgerAudit.Check(Clean(won: 4, wonCents: 300));
        AssertFailed(report, "won answers = ledger rows");
    }

    [Fact]
    public void Check_MonitorCountsDiffer_FailsGuaranteeFive()
    {
        var monitor = new Dictionary<string, long> { ["won"] = 3, ["already_won"] = 39, ["sold_out"] = 12 };
        var report = LedgerAudit.Check(Clean(monitorOutcomes: monitor));
        AssertFailed(report, "monitor's outcome counts");
        Assert.Contains("already_won: harness 40, monitor 39", report.Checks.Single(c => !c.Passed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MonitorCountsAnswersNobodyHeard_FailsUnlessCutOffExplainsThem()
    {
        // A replica killed after it counted two answers and before it sent them: monitor has 2 more sold_out.
        var monitor = new Dictionary<string, long> { ["won"] = 3, ["already_won"] = 40, ["sold_out"] = 14 };
        var unexplained = LedgerAudit.Check(Clean(monitorOutcomes: monitor));
        AssertFailed(unexplained, "monitor's outcome counts = harness counts");
        Assert.Contains("monitor counted 2 answers the harness did not hear", unexplained.Checks.Single(c => !c.Passed).Detail, StringComparison.Ordinal);

        Assert.True(LedgerAudit.Check(Clean(monitorOutcomes: monitor, cutOff: 2)).Passed);
        Assert.True(LedgerAudit.Check(Clean(monitorOutcomes: monitor, transportErrors: 2)).Passed);
        Assert.False(LedgerAudit.Check(Clean(monitorOutcomes: monitor, cutOff: 1)).Passed);
    }

    [Fact]
    public void Check_RowNobodyHeardWonFor_PassesOnlyWhenARequestWasCutOff()
    {
        // 3 rows (300 cents), 2 heard won (200 cents).
        var unexplained = LedgerAudit.Check(Clean(won: 2, wonCents: 200));
        AssertFailed(unexplained, "won answers = ledger rows");

        var cutOff = LedgerAudit.Check(Clean(won: 2, wonCents: 200, transportErrors: 1));
        Assert.True(cutOff.Passed, string.Join("; ", cutOff.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail)));
        Assert.Contains("1 requests got no answer", cutOff.Checks.First(c => c.Name.StartsWith("won answers", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
    }
}
