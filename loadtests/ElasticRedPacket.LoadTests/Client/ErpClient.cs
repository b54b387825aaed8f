using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// The harness's set-up and audit calls (cold path): log users in, issue and read campaigns, page
/// the ledger. Paths and field names come from <see cref="ErpApi"/>. Failures throw
/// <see cref="HarnessException"/> with the status and the start of the body.
/// </summary>
public sealed class ErpClient(HttpClient http, string? operatorKey)
{
    // Optional fields left null (a campaign's startsAt) are omitted rather than sent as null.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public HttpClient Http => http;

    public async Task<string> LoginAsync(long userId, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(ErpApi.LoginPath, ErpApi.LoginBody(userId), Json, cancellationToken);
        }
        catch (HttpRequestException)
        {
            // A keep-alive connection closed by an nginx reload (a replica scaled in or out) while the request
            // was sent: a login is safe to repeat, so it is sent once more, as an HTTP/1.1 client should.
            response = await http.PostAsJsonAsync(ErpApi.LoginPath, ErpApi.LoginBody(userId), Json, cancellationToken);
        }
        using var answer = response;
        using var body = await ReadJsonAsync(response, $"login of user {userId}", cancellationToken);
        return body.RootElement.TryGetProperty(ErpApi.TokenField, out var token) && token.GetString() is { Length: > 0 } value
            ? value
            : throw new HarnessException($"login of user {userId}: no '{ErpApi.TokenField}' in the answer");
    }

    public async Task<long> CreateCampaignAsync(CampaignSpec spec, CancellationToken cancellationToken)
    {
        using var request = OperatorRequest(HttpMethod.Post, ErpApi.CampaignsPath);
        request.Content = JsonContent.Create(ErpApi.CampaignBody(spec), options: Json);
        using var response = await http.SendAsync(request, cancellationToken);
        using var body = await ReadJsonAsync(response, "issuing a campaign", cancellationToken);
        return body.RootElement.TryGetProperty(ErpApi.IdField, out var id) && id.TryGetInt64(out var value)
            ? value
            : throw new HarnessException($"issuing a campaign: no numeric '{ErpApi.IdField}' in the answer");
    }

    public async Task<MonitorView> GetCampaignAsync(long campaignId, CancellationToken cancellationToken)
    {
        using var request = OperatorRequest(HttpMethod.Get, ErpApi.CampaignPath(campaignId));
        using var response = await http.SendAsync(request, cancellationToken);
        using var body = await ReadJsonAsync(response, $"reading campaign {campaignId}", cancellationToken);
        var root = body.RootElement;
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        if (root.TryGetProperty(ErpApi.OutcomesField, out var counts) && counts.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in counts.EnumerateObject())
            {
                outcomes[property.Name] = property.Value.GetInt64();
            }
        }
        return new MonitorView(Int(root, ErpApi.PacketCountField), Int(root, ErpApi.ReleasedField), Int(root, ErpApi.ClaimedField),
            Int(root, ErpApi.InQueueField), Int(root, ErpApi.AmountClaimedField), outcomes);
    }

    /// <summary>Closes a campaign (operator): monitor drains its queue and expires the packets left.</summary>
    public async Task CloseCampaignAsync(long campaignId, CancellationToken cancellationToken)
    {
        using var request = OperatorRequest(HttpMethod.Post, ErpApi.CampaignPath(campaignId) + "/close");
        using var response = await http.SendAsync(request, cancellationToken);
        using var body = await ReadJsonAsyncOrEmpty(response, $"closing campaign {campaignId}", cancellationToken);
    }

    /// <summary>One page of the ledger (a JSON array, or an object holding one array of rows).</summary>
    public async Task<IReadOnlyList<Audit.LedgerClaim>> GetClaimsPageAsync(long campaignId, int page, int pageSize, CancellationToken cancellationToken)
    {
        using var request = OperatorRequest(HttpMethod.Get, ErpApi.ClaimsPath(campaignId, page, pageSize));
        using var response = await http.SendAsync(request, cancellationToken);
        using var body = await ReadJsonAsync(response, $"reading the ledger of campaign {campaignId}", cancellationToken);
        var rows = body.RootElement;
        if (rows.ValueKind == JsonValueKind.Object)
        {
            rows = rows.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.Array);
        }
        if (rows.ValueKind != JsonValueKind.Array)
        {
            throw new HarnessException($"reading the ledger of campaign {campaignId}: no array of rows in the answer");
        }
        return [.. rows.EnumerateArray().Select(row => new Audit.LedgerClaim(
            Int(row, ErpApi.PacketIdField), Int(row, ErpApi.UserIdField), Int(row, ErpApi.AmountCentsField)))];
    }

    public HttpRequestMessage OperatorRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (operatorKey is { Length: > 0 })
        {
            request.Headers.TryAddWithoutValidation(ErpApi.OperatorKeyHeader, operatorKey);
        }
        return request;
    }

    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HarnessException($"{what}: {(int)response.StatusCode} {response.ReasonPhrase} {Truncate(text)}", response.StatusCode);
        }
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new HarnessException($"{what}: the answer is not JSON: {Truncate(text)}");
        }
    }

    /// <summary>Throws like <see cref="ReadJsonAsync"/> on a failure; a success body (possibly empty) is not needed: null.</summary>
    public static async Task<JsonDocument?> ReadJsonAsyncOrEmpty(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }
        return await ReadJsonAsync(response, what, cancellationToken);
    }

    private static long Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}

/// <summary>The harness could not do its own work (set-up, a reader): exit code 3.</summary>
public sealed class HarnessException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>What monitor says about a campaign.</summary>
public sealed record MonitorView(long PacketCount, long Released, long Claimed, long InQueue, long AmountClaimedCents, IReadOnlyDictionary<string, long> Outcomes);
