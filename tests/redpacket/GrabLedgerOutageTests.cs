using Dapper;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// Guarantee 3 through a long ledger outage under load: the packet queues dead-letter a message
/// redelivered more than x-delivery-limit (20) times, so a replica that sent every packet whose
/// claim failed back to the queue would lose healthy packets when grabs keep coming while the
/// ledger refuses writes. Here PostgreSQL refuses every claim of the campaign (a trigger: the claim
/// path sees what an outage shows it, but fast and for this campaign alone) for many times more
/// failed claims than packets x 20; then it accepts them again. Runs alone; bounded to 60 s.
/// </summary>
[Collection(nameof(GrabChaosTests))]
public sealed class GrabLedgerOutageTests(GrabFixture stack, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<GrabFixture>
{
    private const int Packets = 20;
    private const int Users = 200;
    private const int Workers = 24;
    private const int DeliveryLimit = 20;

    [Fact]
    public async Task Grab_LedgerRefusesClaimsUnderLoad_NoPacketDeadLetteredSellsOutExactly()
    {
        var campaign = await stack.Seeder.CreateAsync(Packets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var users = await stack.NewUsersAsync(Users);
        var refusal = $"erp_test_refuse_claims_{campaign.Id}";
        await ExecuteAsync($"""
            CREATE FUNCTION {refusal}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger refuses claims (test)'; END $$;
            CREATE TRIGGER {refusal} BEFORE INSERT ON claims FOR EACH ROW WHEN (NEW.campaign_id = {campaign.Id}) EXECUTE FUNCTION {refusal}();
            """);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var outageDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new HttpClient { BaseAddress = StackEnvironment.Current.NginxUrl, Timeout = TimeSpan.FromSeconds(10) };
        var load = new GrabLoad(client, campaign.Id, users, Workers, TimeSpan.Zero);
        Task running;
        int failedClaims;
        try
        {
            running = load.RunAsync(deadline.Token);
            // Enough failed claims that requeueing each would push the packets past the delivery limit (1.5 times over).
            while ((failedClaims = FailedClaims(load)) < Packets * DeliveryLimit * 3 / 2 && !outageDeadline.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
        finally
        {
            await ExecuteAsync($"DROP TRIGGER IF EXISTS {refusal} ON claims; DROP FUNCTION IF EXISTS {refusal}();");
        }
        var recoveredAt = load.Clock.Elapsed;
        await running;

        var byKind = string.Join(", ", load.Events.GroupBy(e => e.Kind).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
        output.WriteLine($"{failedClaims} claims refused by {recoveredAt.TotalSeconds:0.0} s; sold out: {load.SoldOut} at {load.Clock.Elapsed.TotalSeconds:0.0} s; answers: {byKind}");
        Assert.True(failedClaims >= Packets * DeliveryLimit, $"only {failedClaims} claims failed: the outage was too short to test the delivery limit");
        await using var rabbit = await new ConnectionFactory { Uri = new Uri(StackEnvironment.Current.RabbitMq) }.CreateConnectionAsync();
        var deadLettered = await DeadLetters.CountFromAsync(rabbit, Topology.DeadLetterQueue, Topology.PacketQueue(campaign.Id));
        Assert.True(deadLettered == 0, $"{deadLettered} packets of the campaign were dead-lettered; answers: {byKind}");
        Assert.True(load.SoldOut, $"not sold out in 60 s: {load.Won.Count} of {Packets} won; answers: {byKind}");
        await LedgerGuarantees.AssertSoldOutCleanlyAsync(stack.Seeder, campaign, load);
        // Guarantee 4: the refused claims left no row; every row is a "won" a user heard.
        Assert.Equal(Packets, load.Won.Count);
    }

    private static int FailedClaims(GrabLoad load) => load.Events.Count(e => e.Kind == "503 shed ledger_unavailable");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await stack.Seeder.Database.OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }
}
