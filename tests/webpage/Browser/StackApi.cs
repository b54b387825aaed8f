using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ElasticRedPacket.Webpage.Tests.Browser;

/// <summary>The running stack's public APIs through nginx, for test setup and checks.</summary>
public static class StackApi
{
    public sealed record Issued(long Id, string Name);

    public sealed record Claim(long PacketId, long UserId, int AmountCents, DateTimeOffset ClaimedAt);

    public sealed record ClaimsPage(long Total, List<Claim> Items);

    public sealed record Campaign(long Id, string Name, long Claimed, long AmountClaimedCents, Dictionary<string, long> Outcomes);

    public static HttpClient Operator()
    {
        var client = new HttpClient { BaseAddress = StackEnvironment.Current.NginxUrl };
        client.DefaultRequestHeaders.Add("X-Operator-Key", StackEnvironment.Current.OperatorKey);
        return client;
    }

    public static async Task<Issued> IssueAsync(string name, long totalCents, int packets, int batches, int interval, DateTimeOffset? startsAt = null)
    {
        using var client = Operator();
        var response = await client.PostAsJsonAsync("/api/campaigns", new { name, totalCents, packetCount = packets, batchCount = batches, intervalSeconds = interval, startsAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<Issued>(body, JsonSerializerOptions.Web)!;
    }

    public static async Task<T> GetAsync<T>(string path)
    {
        using var client = Operator();
        return (await client.GetFromJsonAsync<T>(path))!;
    }

    /// <summary>A user account for the demo login (the users table is account's; this is test setup).</summary>
    public static async Task EnsureUserAsync(long userId, string displayName)
    {
        await using var connection = new NpgsqlConnection(StackEnvironment.Current.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("INSERT INTO users (id, display_name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = displayName });
        await command.ExecuteNonQueryAsync();
    }
}
