using System.Net;
using System.Net.Http.Json;
using Dapper;
using ElasticRedPacket.Monitor.Features.Campaigns;
using Microsoft.AspNetCore.Http;

namespace ElasticRedPacket.Monitor.Tests;

public sealed class CampaignsApiTests : IClassFixture<ServiceFactory<Program>>
{
    private readonly HttpClient _anonymous;
    private readonly HttpClient _operator;

    public CampaignsApiTests(ServiceFactory<Program> factory)
    {
        _anonymous = factory.CreateClient();
        _operator = Probe.Operator(factory.CreateClient());
    }

    public static TheoryData<string, string> OperatorEndpoints => new()
    {
        { "POST", "/api/campaigns" },
        { "GET", "/api/campaigns" },
        { "GET", "/api/campaigns/1" },
        { "GET", "/api/campaigns/1/claims" },
        { "POST", "/api/campaigns/1/close" },
    };

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task OperatorEndpoint_NoKey_Returns401Problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(Probe.Campaign("auth")) };
        var response = await _anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task OperatorEndpoint_WrongKey_Returns403Problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(Probe.Campaign("auth")) };
        request.Headers.Add("X-Operator-Key", StackEnvironment.Current.OperatorKey + "x");
        var response = await _anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Issue_WrongKey_StoresNothing()
    {
        var campaign = Probe.Campaign("forbidden");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/campaigns") { Content = JsonContent.Create(campaign) };
        request.Headers.Add("X-Operator-Key", "not-the-operator-key");
        Assert.Equal(HttpStatusCode.Forbidden, (await _anonymous.SendAsync(request)).StatusCode);
        Assert.Equal(0, await CountByNameAsync(campaign.Name!));
    }

    public static TheoryData<string, long, int, int, int, int?, string> InvalidRequests => new()
    {
        { "", 1000, 10, 1, 1, null, "name" },
        { new string('n', 101), 1000, 10, 1, 1, null, "name" },
        { "ok", 99, 100, 1, 1, null, "totalCents" },
        { "ok", 0, 1, 1, 1, null, "totalCents" },
        { "ok", 10_000_000_001, 1_000_000, 1, 1, null, "totalCents" },
        { "ok", 100_000_001, 1, 1, 1, null, "totalCents" },
        { "ok", 1000, 0, 1, 1, null, "packetCount" },
        { "ok", 10_000_000, 1_000_001, 1, 1, null, "packetCount" },
        { "ok", 1000, 10, 11, 1, null, "batchCount" },
        { "ok", 1000, 10, 0, 1, null, "batchCount" },
        { "ok", 1000, 10, 1, -1, null, "intervalSeconds" },
        { "ok", 1000, 10, 1, 86_401, null, "intervalSeconds" },
        { "ok", 1000, 10, 1, 1, -3600, "startsAt" },
        { "ok", 1000, 10, 1, 1, 400 * 86_400, "startsAt" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Issue_OutOfBounds_Returns400ProblemNamingTheFieldAndStoresNothing(string name, long total, int packets, int batches, int interval, int? startOffsetSeconds, string field)
    {
        var uniqueName = name == "ok" ? "invalid-" + Guid.NewGuid().ToString("N") : name;
        var request = new IssueCampaignRequest(uniqueName, total, packets, batches, interval,
            startOffsetSeconds is { } s ? DateTimeOffset.UtcNow.AddSeconds(s) : null);
        var response = await _operator.PostAsJsonAsync("/api/campaigns", request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys);
        Assert.Equal(0, await CountByNameAsync(uniqueName));
    }

    [Fact]
    public async Task Issue_MalformedJson_Returns400Problem()
    {
        using var content = new StringContent("{\"name\":\"x\",\"totalCents\":\"lots\"}", System.Text.Encoding.UTF8, "application/json");
        var response = await _operator.PostAsync("/api/campaigns", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Issue_ValidRequest_StoresPacketsSummingToTotalAndScheduleAtIntervals()
    {
        var startsAt = DateTimeOffset.UtcNow.AddHours(1);
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("stored", totalCents: 123_457, packets: 1003, batches: 7, interval: 30, startsAt: startsAt));

        var packets = await Probe.PacketsAsync(issued.Id);
        Assert.Equal(1003, packets.Count);
        Assert.Equal(123_457, packets.Sum(p => (long)p.Amount));
        Assert.All(packets, p => Assert.True(p.Amount >= 1));

        var batches = await Probe.BatchesAsync(issued.Id);
        Assert.Equal(Enumerable.Range(0, 7), batches.Select(b => b.BatchNo));
        Assert.Equal(1003, batches.Sum(b => b.PacketCount));
        Assert.True(batches.Max(b => b.PacketCount) - batches.Min(b => b.PacketCount) <= 1);
        for (var k = 0; k < 7; k++)
        {
            var expected = startsAt.UtcDateTime.AddSeconds(30 * k);
            Assert.InRange((batches[k].DueAt - expected).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
            Assert.Null(batches[k].ReleasedAt);
        }

        var view = await _operator.GetFromJsonAsync<CampaignView>($"/api/campaigns/{issued.Id}");
        Assert.Equal("scheduled", view!.Status);
        Assert.Equal(0, view.Released);
        Assert.Equal(0, view.InQueue);
        Assert.Equal(startsAt.UtcDateTime, view.NextReleaseAt!.Value.UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await Probe.ReadyCountAsync(issued.Id)); // the queue exists (declared at issue), empty
    }

    [Fact]
    public async Task Get_UnknownCampaign_Returns404Problem()
    {
        var response = await _operator.GetAsync("/api/campaigns/999999999");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task List_AfterIssue_ContainsCampaignNewestFirst()
    {
        var first = await Probe.IssueAsync(_operator, Probe.Campaign("list-a", startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        var second = await Probe.IssueAsync(_operator, Probe.Campaign("list-b", startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        var list = await _operator.GetFromJsonAsync<List<CampaignView>>("/api/campaigns?limit=200");
        var ids = list!.Select(c => c.Id).ToList();
        Assert.True(ids.IndexOf(second.Id) < ids.IndexOf(first.Id) && ids.IndexOf(second.Id) >= 0);
    }

    [Fact]
    public async Task Active_WithoutKey_ListsOpenCampaignsWithNextRelease()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("active", startsAt: DateTimeOffset.UtcNow.AddHours(2)));
        await Task.Delay(1100); // the public answer is cached for a second
        var active = await _anonymous.GetFromJsonAsync<List<ActiveCampaign>>("/api/campaigns/active");
        var mine = Assert.Single(active!, c => c.Id == issued.Id);
        Assert.Equal(100, mine.Remaining);
        Assert.NotNull(mine.NextReleaseAt);
    }

    [Fact]
    public async Task Claims_InsertedInLedger_ReturnedNewestFirstAndPaged()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("ledger", packets: 10, batches: 1, startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        var packets = await Probe.PacketsAsync(issued.Id);
        await using (var connection = await Probe.Db.OpenConnectionAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                // The ledger's writer is redpacket; here the test plays it for five wins a second apart.
                await connection.ExecuteAsync(
                    "INSERT INTO claims (packet_id, campaign_id, user_id, amount_cents, claimed_at) VALUES (@id, @campaign, @user, @amount, now() - make_interval(secs => @age))",
                    new { id = packets[i].Id, campaign = issued.Id, user = 1000 + i, amount = packets[i].Amount, age = 10 - i });
            }
        }
        var page1 = await _operator.GetFromJsonAsync<ClaimsPage>($"/api/campaigns/{issued.Id}/claims?page=1&pageSize=2");
        var page3 = await _operator.GetFromJsonAsync<ClaimsPage>($"/api/campaigns/{issued.Id}/claims?page=3&pageSize=2");
        Assert.Equal(5, page1!.Total);
        Assert.Equal([1004L, 1003L], page1.Items.Select(c => c.UserId));
        Assert.Equal([1000L], page3!.Items.Select(c => c.UserId));

        var view = await _operator.GetFromJsonAsync<CampaignView>($"/api/campaigns/{issued.Id}");
        Assert.Equal(5, view!.Claimed);
        Assert.Equal(packets.Take(5).Sum(p => (long)p.Amount), view.AmountClaimedCents);
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=201")]
    public async Task Claims_BadPaging_Returns400Problem(string query)
    {
        var response = await _operator.GetAsync($"/api/campaigns/1/claims?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<long> CountByNameAsync(string name)
    {
        await using var connection = await Probe.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM campaigns WHERE name = @name", new { name });
    }
}
