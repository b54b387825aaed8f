using System.Net;
using System.Net.Http.Json;
using Dapper;
using ElasticRedPacket.Monitor.Features.Campaigns;

namespace ElasticRedPacket.Monitor.Tests;

public sealed class CloseTests : IClassFixture<ServiceFactory<Program>>
{
    private readonly HttpClient _operator;

    public CloseTests(ServiceFactory<Program> factory) => _operator = Probe.Operator(factory.CreateClient());

    [Fact]
    public async Task Close_MidSchedule_StopsReleasingDrainsQueueAndReleasedEqualsClaimedPlusExpired()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("close", totalCents: 5_000, packets: 50, batches: 5, interval: 2));
        await Probe.WaitReleasedAsync(issued.Id, 1, TimeSpan.FromSeconds(10));

        // Three wins recorded in the ledger (the test plays redpacket) for packets of the released batch.
        var released = (await Probe.PacketsAsync(issued.Id)).Take(3).ToList();
        await using (var connection = await Probe.Db.OpenConnectionAsync())
        {
            foreach (var (id, amount) in released)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO claims (packet_id, campaign_id, user_id, amount_cents) VALUES (@id, @campaign, @user, @amount)",
                    new { id, campaign = issued.Id, user = id, amount });
            }
        }

        var response = await _operator.PostAsync($"/api/campaigns/{issued.Id}/close", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var closed = (await response.Content.ReadFromJsonAsync<CampaignClosed>())!;
        Assert.Equal("closed", closed.Status);
        Assert.Equal(3, closed.Claimed);
        Assert.Equal(closed.Released, closed.Claimed + closed.Expired);
        Assert.Equal(50, closed.Released + closed.Cancelled);
        Assert.Equal(0, await Probe.ReadyCountAsync(issued.Id));

        // Later batches fall due and are not released.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var view = (await _operator.GetFromJsonAsync<CampaignView>($"/api/campaigns/{issued.Id}"))!;
        Assert.Equal(closed.Released, view.Released);
        Assert.Equal(0, view.InQueue);
        Assert.Null(view.NextReleaseAt);
        Assert.Equal(view.Released, view.Claimed + view.Expired);

        await using (var connection = await Probe.Db.OpenConnectionAsync())
        {
            // No packet is both claimed and expired; every unclaimed packet is expired.
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM packets p JOIN claims c ON c.packet_id = p.id WHERE p.campaign_id = @id AND p.expired_at IS NOT NULL", new { id = issued.Id }));
            Assert.Equal(47, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM packets WHERE campaign_id = @id AND expired_at IS NOT NULL", new { id = issued.Id }));
        }
    }

    [Fact]
    public async Task Close_Twice_SecondChangesNothing()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("close-twice", packets: 20, batches: 2, interval: 60));
        await Probe.WaitReleasedAsync(issued.Id, 1, TimeSpan.FromSeconds(10));
        var first = await (await _operator.PostAsync($"/api/campaigns/{issued.Id}/close", null)).Content.ReadFromJsonAsync<CampaignClosed>();
        var second = await (await _operator.PostAsync($"/api/campaigns/{issued.Id}/close", null)).Content.ReadFromJsonAsync<CampaignClosed>();
        Assert.Equal(10, first!.Drained);
        Assert.Equal(0, second!.Drained);
        Assert.Equal(first with { Drained = 0 }, second);
    }

    [Fact]
    public async Task Close_UnknownCampaign_Returns404Problem()
    {
        var response = await _operator.PostAsync("/api/campaigns/999999999/close", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Active_ClosedCampaign_NotListed()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("close-active", startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(HttpStatusCode.OK, (await _operator.PostAsync($"/api/campaigns/{issued.Id}/close", null)).StatusCode);
        await Task.Delay(1100);
        var active = await _operator.GetFromJsonAsync<List<ActiveCampaign>>("/api/campaigns/active");
        Assert.DoesNotContain(active!, c => c.Id == issued.Id);
    }
}
