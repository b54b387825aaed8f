using System.Net;
using System.Text;
using Dapper;
using Npgsql;

namespace ElasticRedPacket.Monitor.Tests;

/// <summary>
/// Property: whatever invalid body an operator sends to POST /api/campaigns through nginx, the
/// answer is a 4xx (a ProblemDetails when the service answers) and no campaign, packet or batch is stored.
/// </summary>
[CollectionDefinition(nameof(IssueFuzzTests), DisableParallelization = true)]
public sealed class IssueFuzzTestsCollection;

/// <remarks>Runs alone: it compares counts over the whole database before and after.</remarks>
[Collection(nameof(IssueFuzzTests))]
public sealed class IssueFuzzTests
{
    private const int Bodies = 300;

    [Fact]
    public async Task Issue_RandomInvalidBodies_Always4xxAndNothingStored()
    {
        var stack = StackEnvironment.Current;
        using var client = new HttpClient { BaseAddress = stack.NginxUrl, Timeout = TimeSpan.FromSeconds(30) };
        await using var database = NpgsqlDataSource.Create(stack.Postgres);
        var before = await CountAsync(database);
        var bodies = new HostileBodies(seed: 1121);
        var valid = new Dictionary<string, string>
        {
            ["name"] = "\"fuzz\"",
            ["totalCents"] = "1000",
            ["packetCount"] = "10",
            ["batchCount"] = "2",
            ["intervalSeconds"] = "5",
        };

        var failures = new List<string>();
        for (var i = 0; i < Bodies; i++)
        {
            var body = bodies.Next(valid, alwaysBad: [], lenient: ["intervalSeconds"]);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/campaigns") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Operator-Key", stack.OperatorKey);
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var fromService = response.StatusCode != HttpStatusCode.RequestEntityTooLarge;
            if (status is < 400 or >= 500 || (fromService && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
            {
                failures.Add($"#{i} {status} {response.Content.Headers.ContentType}: {Shorten(body)} -> {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }

        Assert.True(failures.Count == 0, $"seed {bodies.Seed}:\n" + string.Join('\n', failures.Take(20)));
        Assert.Equal(before, await CountAsync(database));
    }

    private static async Task<(long Campaigns, long Packets, long Batches)> CountAsync(NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT (SELECT count(*) FROM campaigns), (SELECT count(*) FROM packets), (SELECT count(*) FROM release_batches)");
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"... ({text.Length} chars)";
}
