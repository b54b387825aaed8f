using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

namespace ElasticRedPacket.TestSupport;

/// <summary>One grab's answer as the client saw it.</summary>
public sealed record GrabResult(HttpStatusCode Status, string Outcome, long? PacketId, int? AmountCents, string? RetryAfter, string? VerifiedBy, string? Reason, string Body)
{
    public static async Task<GrabResult> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        string outcome = "(none)";
        long? packetId = null;
        int? amount = null;
        string? verifiedBy = null, reason = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            outcome = root.GetProperty("outcome").GetString()!;
            packetId = root.TryGetProperty("packetId", out var p) ? p.GetInt64() : null;
            amount = root.TryGetProperty("amountCents", out var a) ? a.GetInt32() : null;
            verifiedBy = root.TryGetProperty("verifiedBy", out var v) ? v.GetString() : null;
            reason = root.TryGetProperty("reason", out var r) ? r.GetString() : null;
        }
        else if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            outcome = "problem";
        }
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? ((int)delta.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new GrabResult(response.StatusCode, outcome, packetId, amount, retryAfter, verifiedBy, reason, body);
    }
}

/// <summary>The running test stack as the grab tests use it: campaigns seeded directly, users through account, grabs through any HttpClient.</summary>
public sealed class GrabFixture : IAsyncLifetime
{
    private long _nextUserId;

    public CampaignSeeder Seeder { get; } = new(StackEnvironment.Current.Postgres, StackEnvironment.Current.RabbitMq);

    public AccountsClient Accounts { get; } = AccountsClient.ThroughNginx();

    public HttpClient Nginx { get; } = new() { BaseAddress = StackEnvironment.Current.NginxUrl, Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        await using var connection = await Seeder.Database.OpenConnectionAsync();
        _nextUserId = await connection.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) + 1000 FROM users");
    }

    /// <summary>Creates <paramref name="count"/> fresh users (bulk endpoint) and returns their tokens (login).</summary>
    public async Task<Dictionary<long, string>> NewUsersAsync(int count)
    {
        var first = Interlocked.Add(ref _nextUserId, count) - count;
        await Accounts.CreateUsersAsync(first, count);
        return await Accounts.LoginManyAsync(Enumerable.Range(0, count).Select(i => first + i));
    }

    public async Task<(long UserId, string Token)> NewUserAsync() => (await NewUsersAsync(1)).Single() is var (id, token) ? (id, token) : default;

    public static async Task<GrabResult> GrabAsync(HttpClient client, string? token, long campaignId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/grab") { Content = JsonContent.Create(new { campaignId }) };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await client.SendAsync(request);
        return await GrabResult.ReadAsync(response);
    }

    public async Task DisposeAsync()
    {
        Nginx.Dispose();
        Accounts.Dispose();
        await Seeder.DisposeAsync();
    }
}
