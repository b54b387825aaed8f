using System.Net;
using System.Text;
using Dapper;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>Tokens, blocked users, rate limits, campaign timing and bad input, through nginx and the real account replicas.</summary>
public sealed class GrabApiTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_MissingTamperedOrExpiredToken_Unauthorized401()
    {
        var campaign = await stack.Seeder.CreateAsync(3, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var (userId, token) = await stack.NewUserAsync();
        var expired = AccountsClient.StackSigner().Issue(userId, DateTimeOffset.UtcNow.AddSeconds(-5));
        var foreign = new ServiceDefaults.Auth.TokenSigner(
            Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.Auth.AuthOptions { TokenKey = Convert.ToBase64String(new byte[32]), OperatorKey = "x" }),
            TimeProvider.System).Issue(userId, DateTimeOffset.UtcNow.AddHours(1));
        var otherUser = token.Replace(userId + ".", (userId + 1) + ".", StringComparison.Ordinal);

        foreach (var bad in new string?[] { null, "garbage", expired, foreign, otherUser, $"{userId}.9999999999.!!!!" })
        {
            var result = await GrabFixture.GrabAsync(stack.Nginx, bad, campaign.Id);
            Assert.True(result.Status == HttpStatusCode.Unauthorized && result.Outcome == "unauthorized", $"{bad}: {result.Status} {result.Body}");
        }
        Assert.Empty(await stack.Seeder.ClaimsAsync(campaign.Id));
    }

    [Fact]
    public async Task Grab_Answers_SentWithContentLengthNotChunked()
    {
        // Answers are written in one piece with their length (SizedJsonResult), through nginx as well.
        var campaign = await stack.Seeder.CreateAsync(3, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var (_, token) = await stack.NewUserAsync();
        foreach (var (authorization, outcome) in new[] { (token, "won"), ((string?)null, "unauthorized") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/grab") { Content = System.Net.Http.Json.JsonContent.Create(new { campaignId = campaign.Id }) };
            if (authorization is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", authorization);
            }
            using var response = await stack.Nginx.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.Headers.TransferEncodingChunked is not true, response.Headers.ToString());
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"\"outcome\":\"{outcome}\"", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Grab_BlockedUser_RefusedWithinCacheBound()
    {
        var campaign = await stack.Seeder.CreateAsync(3, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(1));
        var (userId, token) = await stack.NewUserAsync();
        Assert.Equal("not_started", (await GrabFixture.GrabAsync(stack.Nginx, token, campaign.Id)).Outcome); // warms both caches

        using (var block = await stack.Accounts.OperatorPostAsync($"/api/accounts/users/{userId}/block"))
        {
            Assert.Equal(HttpStatusCode.OK, block.StatusCode);
        }
        // Account:UserCacheSeconds (2 s) plus the block list's read bounds how long another account replica may still
        // allow the user (a read that began just before the block does not see it); 3 s leaves a margin for this machine.
        await Task.Delay(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 4; i++)
        {
            var result = await GrabFixture.GrabAsync(stack.Nginx, token, campaign.Id);
            Assert.True(result.Status == HttpStatusCode.Unauthorized, result.Body);
        }
        Assert.Empty(await stack.Seeder.ClaimsAsync(campaign.Id));
    }

    [Fact]
    public async Task Grab_OneUserHammeringAcrossReplicas_RateLimited429WithRetryAfter()
    {
        var campaign = await stack.Seeder.CreateAsync(3, batches: 1, releasedBatches: 0, DateTimeOffset.UtcNow.AddHours(1));
        var (_, token) = await stack.NewUserAsync();
        var results = new List<GrabResult>();
        var started = DateTime.UtcNow;
        for (var i = 0; i < 12; i++)
        {
            results.Add(await GrabFixture.GrabAsync(stack.Nginx, token, campaign.Id));
        }
        var elapsed = DateTime.UtcNow - started;

        var limited = results.Where(r => r.Outcome == "rate_limited").ToList();
        Assert.All(limited, r => Assert.True(r.Status == HttpStatusCode.TooManyRequests && r.RetryAfter is not null, r.Body));
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { "not_started", "rate_limited" }));
        if (elapsed < TimeSpan.FromSeconds(1))
        {
            // One window: exactly the 5 permits, whichever replicas served them.
            Assert.Equal(5, results.Count(r => r.Outcome == "not_started"));
        }
        Assert.NotEmpty(limited);
    }

    [Fact]
    public async Task Grab_BeforeStartAndBetweenBatches_NotStartedThenTryAgainWithNextRelease()
    {
        var campaign = await stack.Seeder.CreateAsync(2, batches: 2, releasedBatches: 0, DateTimeOffset.UtcNow.AddSeconds(1.5), intervalSeconds: 600);
        var tokens = (await stack.NewUsersAsync(3)).Values.ToArray();
        var early = await GrabFixture.GrabAsync(stack.Nginx, tokens[0], campaign.Id);
        Assert.Equal("not_started", early.Outcome);
        Assert.Contains("\"startsAt\"", early.Body, StringComparison.Ordinal);
        Assert.NotNull(early.RetryAfter);

        await Task.Delay(1600);
        await stack.Seeder.ReleaseBatchAsync(campaign, 0);
        GrabResult won;
        var attempts = 0;
        do
        {
            won = await GrabFixture.GrabAsync(stack.Nginx, tokens[0], campaign.Id);
            attempts++;
        }
        while (won.Outcome == "try_again" && attempts < 20);
        Assert.Equal("won", won.Outcome);

        // Batch 0 is claimed, batch 1 is due in 10 minutes: never sold_out, but try_again with the next release.
        // Past two campaign-cache intervals (2 x 300 ms): a replica answers only from a state read after the win.
        await Task.Delay(700);
        var between = await GrabFixture.GrabAsync(stack.Nginx, tokens[1], campaign.Id);
        Assert.Equal("try_again", between.Outcome);
        Assert.Contains("\"nextReleaseAt\"", between.Body, StringComparison.Ordinal);
        Assert.True(int.Parse(between.RetryAfter!) > 60, between.Body);
    }

    [Fact]
    public async Task Mine_AfterWinAndWithout_ReturnsClaimOr404()
    {
        var campaign = await stack.Seeder.CreateAsync(1, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = (await stack.NewUsersAsync(2)).ToArray();
        var won = await GrabFixture.GrabAsync(stack.Nginx, tokens[0].Value, campaign.Id);
        Assert.Equal("won", won.Outcome);

        using var mine = await GetMineAsync(tokens[0].Value, campaign.Id.ToString());
        var body = await mine.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Contains($"\"packetId\":{won.PacketId}", body, StringComparison.Ordinal);
        Assert.Contains($"\"amountCents\":{won.AmountCents}", body, StringComparison.Ordinal);

        using var none = await GetMineAsync(tokens[1].Value, campaign.Id.ToString());
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        using var anonymous = await GetMineAsync(null, campaign.Id.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var bad = await GetMineAsync(tokens[0].Value, "abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"campaignId\":0}")]
    [InlineData("{\"campaignId\":-3}")]
    [InlineData("{\"campaignId\":\"7\"}")]
    [InlineData("{\"campaignId\":1.5}")]
    [InlineData("{\"campaignId\":99999999999999999999}")]
    public async Task Grab_MalformedBody_400ProblemDetailsAndNoClaim(string body)
    {
        var (userId, token) = await stack.NewUserAsync();
        await using var replica = new ServiceFactory<Program>();
        var ledgerBefore = await LedgerSizeAsync(userId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/grab") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await replica.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // No state change: the ledger holds exactly the rows it held before, none of them this user's (tests run one at a time).
        Assert.Equal(ledgerBefore, await LedgerSizeAsync(userId));
        Assert.Equal(0L, ledgerBefore.UserRows);
    }

    private async Task<(long Rows, long UserRows)> LedgerSizeAsync(long userId)
    {
        await using var connection = await stack.Seeder.Database.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long)>(
            "SELECT count(*), count(*) FILTER (WHERE user_id = @userId) FROM claims", new { userId });
    }

    [Fact]
    public async Task Grab_HugeBodyOrUnknownCampaign_4xxProblemDetails()
    {
        var (_, token) = await stack.NewUserAsync();
        await using var replica = new ServiceFactory<Program>();
        var client = replica.CreateClient();
        using var huge = new HttpRequestMessage(HttpMethod.Post, "/api/grab")
        {
            Content = new StringContent("{\"campaignId\":1,\"pad\":\"" + new string('x', 200_000) + "\"}", Encoding.UTF8, "application/json"),
        };
        huge.Headers.Authorization = new("Bearer", token);
        using var hugeResponse = await client.SendAsync(huge);
        Assert.Equal(HttpStatusCode.BadRequest, hugeResponse.StatusCode);
        Assert.Equal("application/problem+json", hugeResponse.Content.Headers.ContentType?.MediaType);

        var unknown = await GrabFixture.GrabAsync(client, token, long.MaxValue);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("problem", unknown.Outcome);

        using var throughNginx = new HttpRequestMessage(HttpMethod.Post, "/api/grab") { Content = new StringContent(new string('x', 200_000), Encoding.UTF8, "application/json") };
        using var nginxResponse = await stack.Nginx.SendAsync(throughNginx);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, nginxResponse.StatusCode); // the ingress refuses it first
    }

    private async Task<HttpResponseMessage> GetMineAsync(string? token, string campaignId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/grab/mine?campaignId=" + campaignId);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        return await stack.Nginx.SendAsync(request);
    }
}
