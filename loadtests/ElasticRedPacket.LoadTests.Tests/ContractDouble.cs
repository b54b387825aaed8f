using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ElasticRedPacket.LoadTests.Tests;

/// <summary>
/// An in-process stand-in for the services' public HTTP contract (docs/contracts.md), used only to
/// test the harness's own set-up, load and audit flow without the real stack. It is not the product:
/// ScenarioSmokeTests run the same scenarios against the real services. With <c>oversell</c> it
/// hands every 10th winner a packet that was already claimed, so the audit must catch it. It also
/// answers RabbitMQ's management API for the packet queues (basic auth <see cref="ManagementUrl"/>):
/// up to 5 unclaimed packets count as unacked (held by a consumer), the rest as ready; with
/// <c>restlessQueue</c> that split changes on every read, as if the counts never settled.
/// </summary>
internal sealed class ContractDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Campaign> _campaigns = [];
    private readonly bool _oversell;
    private readonly bool _restlessQueue;
    private int _queueReads;

    private sealed class Campaign(long id, long packetCount, long totalCents)
    {
        public long Id { get; } = id;
        public long PacketCount { get; } = packetCount;
        public long TotalCents { get; } = totalCents;
        public long Next { get; set; } = 1;
        public List<(long PacketId, long UserId, long Cents)> Claims { get; } = [];
        public HashSet<long> Winners { get; } = [];
        public Dictionary<string, long> Outcomes { get; } = [];
    }

    private ContractDouble(WebApplication app, bool oversell, bool restlessQueue)
    {
        _app = app;
        _oversell = oversell;
        _restlessQueue = restlessQueue;
    }

    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>The management API's address with the credentials it accepts.</summary>
    public string ManagementUrl => $"http://mgmt:pw@{Url.Authority}/";

    public int QueueReads => Volatile.Read(ref _queueReads);

    public static async Task<ContractDouble> StartAsync(bool oversell = false, bool restlessQueue = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var service = new ContractDouble(app, oversell, restlessQueue);
        service.Map(app);
        await app.StartAsync();
        return service;
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/api/accounts/users/bulk", (HttpContext http) => Operator(http) ? Results.Created() : Results.Unauthorized());
        app.MapPost("/api/accounts/login", (JsonElement body) =>
        {
            var id = body.GetProperty("userId").GetInt64();
            return Results.Ok(new { token = "t" + id, userId = id, displayName = "load", expiresAt = DateTimeOffset.UtcNow.AddHours(1) });
        });
        app.MapPost("/api/campaigns", (HttpContext http, JsonElement body) =>
        {
            if (!Operator(http))
            {
                return Results.Unauthorized();
            }
            lock (_gate)
            {
                var campaign = new Campaign(_campaigns.Count + 1, body.GetProperty("packetCount").GetInt64(), body.GetProperty("totalCents").GetInt64());
                _campaigns[campaign.Id] = campaign;
                return Results.Created($"/api/campaigns/{campaign.Id}", new { id = campaign.Id });
            }
        });
        app.MapGet("/api/campaigns/{id:long}", (long id) =>
        {
            lock (_gate)
            {
                var c = _campaigns[id];
                return Results.Ok(new
                {
                    id, packetCount = c.PacketCount, released = c.PacketCount, claimed = c.Claims.Count,
                    inQueue = c.PacketCount - c.Next + 1, amountClaimedCents = c.Claims.Sum(x => x.Cents), outcomes = new Dictionary<string, long>(c.Outcomes),
                });
            }
        });
        app.MapGet("/api/campaigns/{id:long}/claims", (long id, int page, int pageSize) =>
        {
            lock (_gate)
            {
                return Results.Ok(_campaigns[id].Claims.Skip((page - 1) * pageSize).Take(pageSize)
                    .Select(c => new { packetId = c.PacketId, userId = c.UserId, amountCents = c.Cents, claimedAt = DateTimeOffset.UtcNow }).ToList());
            }
        });
        app.MapGet("/api/queues/{vhost}/{name}", (HttpContext http, string vhost, string name) =>
        {
            if (http.Request.Headers.Authorization != "Basic " + Convert.ToBase64String("mgmt:pw"u8))
            {
                return Results.Unauthorized();
            }
            var reads = Interlocked.Increment(ref _queueReads);
            lock (_gate)
            {
                var id = long.Parse(name.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);
                if (Uri.UnescapeDataString(vhost) != "/" || !_campaigns.TryGetValue(id, out var c))
                {
                    return Results.NotFound();
                }
                var unclaimed = c.PacketCount - c.Next + 1;
                var held = Math.Min(unclaimed, _restlessQueue ? reads % 2 : 5);
                return Results.Ok(new { name, messages_ready = unclaimed - held, messages_unacknowledged = held });
            }
        });
        app.MapPost("/api/grab", (HttpContext http, JsonElement body) =>
        {
            var user = long.Parse(http.Request.Headers.Authorization.ToString()["Bearer t".Length..], System.Globalization.CultureInfo.InvariantCulture);
            lock (_gate)
            {
                var c = _campaigns[body.GetProperty("campaignId").GetInt64()];
                string outcome;
                long cents = 0;
                if (c.Winners.Contains(user))
                {
                    outcome = "already_won";
                }
                else if (c.Next <= c.PacketCount)
                {
                    cents = c.TotalCents / c.PacketCount;
                    var packet = c.Next;
                    if (!(_oversell && c.Claims.Count % 10 == 9 && packet > 1))
                    {
                        c.Next++;
                    }
                    else
                    {
                        packet--; // planted bug: a packet already claimed is handed out again
                    }
                    c.Claims.Add((packet, user, cents));
                    c.Winners.Add(user);
                    outcome = "won";
                }
                else
                {
                    outcome = "sold_out";
                }
                c.Outcomes[outcome] = c.Outcomes.GetValueOrDefault(outcome) + 1;
                return outcome == "won" ? Results.Ok(new { outcome, amountCents = cents }) : Results.Ok(new { outcome });
            }
        });
    }

    private static bool Operator(HttpContext http) => http.Request.Headers["X-Operator-Key"] == "op-key";

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
