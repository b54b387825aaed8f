using System.Net.Http.Json;
using System.Text.Json;
using ElasticRedPacket.ServiceDefaults.Auth;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.TestSupport;

/// <summary>Users and tokens through the real account service (nginx in front of its replicas).</summary>
public sealed class AccountsClient : IDisposable
{
    private readonly HttpClient _http;

    public AccountsClient(Uri baseUrl) => _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public static AccountsClient ThroughNginx() => new(StackEnvironment.Current.NginxUrl);

    /// <summary>A signer with the stack's key, to forge expired or foreign tokens in tests.</summary>
    public static TokenSigner StackSigner(TimeProvider? time = null) => new(
        Options.Create(new AuthOptions { TokenKey = StackEnvironment.Current.TokenKey, OperatorKey = StackEnvironment.Current.OperatorKey }),
        time ?? TimeProvider.System);

    public async Task CreateUsersAsync(long firstId, int count)
    {
        using var request = OperatorRequest(HttpMethod.Post, "/api/accounts/users/bulk", new { firstId, count });
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    public async Task<string> LoginAsync(long userId)
    {
        using var response = await _http.PostAsJsonAsync("/api/accounts/login", new { userId });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Tokens for many users, logged in with bounded concurrency.</summary>
    public async Task<Dictionary<long, string>> LoginManyAsync(IEnumerable<long> userIds, int concurrency = 32)
    {
        var tokens = new System.Collections.Concurrent.ConcurrentDictionary<long, string>();
        await Parallel.ForEachAsync(userIds, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, _) => tokens[id] = await LoginAsync(id));
        return new Dictionary<long, string>(tokens);
    }

    public async Task<HttpResponseMessage> OperatorPostAsync(string path, object? body = null)
    {
        using var request = OperatorRequest(HttpMethod.Post, path, body);
        return await _http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> OperatorPutAsync(string path, object body)
    {
        using var request = OperatorRequest(HttpMethod.Put, path, body);
        return await _http.SendAsync(request);
    }

    private static HttpRequestMessage OperatorRequest(HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(OperatorKey.Header, StackEnvironment.Current.OperatorKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    public void Dispose() => _http.Dispose();
}
