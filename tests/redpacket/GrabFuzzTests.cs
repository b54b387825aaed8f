using System.Net;
using System.Text;
using Dapper;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// Property: whatever invalid body reaches POST /api/grab through nginx, the answer is a 4xx (a
/// ProblemDetails when the service answers) and the ledger and the queue are unchanged.
/// </summary>
[CollectionDefinition(nameof(GrabFuzzTests), DisableParallelization = true)]
public sealed class GrabFuzzTestsCollection;

/// <remarks>Runs alone: it compares counts over the whole database before and after.</remarks>
[Collection(nameof(GrabFuzzTests))]
public sealed class GrabFuzzTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    private const int Bodies = 300;

    [Fact]
    public async Task Grab_RandomInvalidBodies_Always4xxAndNothingClaimed()
    {
        var campaign = await stack.Seeder.CreateAsync(5, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var (_, token) = await stack.NewUserAsync();
        var claimsBefore = await CountClaimsAsync();
        var bodies = new HostileBodies(seed: 20261121);
        var valid = new Dictionary<string, string> { ["campaignId"] = campaign.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var failures = new List<string>();
        for (var i = 0; i < Bodies; i++)
        {
            var body = bodies.Next(valid, alwaysBad: ["campaignId"], lenient: []);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/grab") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new("Bearer", token);
            using var response = await stack.Nginx.SendAsync(request);
            var status = (int)response.StatusCode;
            var fromService = response.StatusCode != HttpStatusCode.RequestEntityTooLarge;
            if (status is < 400 or >= 500 || (fromService && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
            {
                failures.Add($"#{i} {status} {response.Content.Headers.ContentType}: {Shorten(body)} -> {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }

        Assert.True(failures.Count == 0, $"seed {bodies.Seed}:\n" + string.Join('\n', failures.Take(20)));
        Assert.Equal(claimsBefore, await CountClaimsAsync());
        Assert.Empty(await stack.Seeder.ClaimsAsync(campaign.Id));
    }

    private async Task<long> CountClaimsAsync()
    {
        await using var connection = await stack.Seeder.Database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM claims");
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"... ({text.Length} chars)";
}
