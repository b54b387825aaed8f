using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// The grab request (hot path). The body is serialized once per campaign and each user's
/// Authorization value once at log-in; request i goes out as user i mod users. The answer is read
/// into a pooled buffer and its "outcome" field matched as UTF-8 bytes, without strings. Besides the
/// measured stats, it counts every answer of the whole run (warm-up included) for the audit.
/// </summary>
public sealed class GrabTarget : ILoadTarget
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly byte[][] OutcomeNames = [.. GrabOutcomes.All.Select(System.Text.Encoding.UTF8.GetBytes)];
    private static readonly int Invalid = (int)GrabOutcome.Invalid;
    private static readonly int Won = (int)GrabOutcome.Won;

    private readonly LoadConnection _connection;
    private readonly Uri _grabUri;
    private readonly byte[] _body;
    private readonly string[] _authorization;
    private readonly long[] _allCounts;
    private long _wonCents;

    public GrabTarget(LoadConnection connection, long campaignId, string[] authorization)
    {
        if (authorization.Length == 0)
        {
            throw new ArgumentException("at least one logged-in user is needed", nameof(authorization));
        }
        _connection = connection;
        _grabUri = connection.UriFor(ErpApi.GrabPath);
        CampaignId = campaignId;
        _body = ErpApi.GrabBody(campaignId);
        _authorization = authorization;
        Outcomes = new OutcomeSet(GrabOutcomes.All);
        _allCounts = new long[Outcomes.Count];
    }

    public long CampaignId { get; }

    public OutcomeSet Outcomes { get; }

    /// <summary>Answers by outcome over the whole run, warm-up included (what the ledger must match).</summary>
    public IReadOnlyDictionary<string, long> AllCounts() =>
        Enumerable.Range(0, Outcomes.Count).ToDictionary(i => Outcomes[i], i => Volatile.Read(ref _allCounts[i]), StringComparer.Ordinal);

    /// <summary>The sum of amountCents over every "won" answer.</summary>
    public long WonCents => Volatile.Read(ref _wonCents);

    public async ValueTask<Sample> ExecuteAsync(long sequence, CancellationToken cancellationToken)
    {
        Sample sample;
        try
        {
            sample = await GrabAsync(_authorization[sequence % _authorization.Length]);
        }
        catch (Exception)
        {
            // No answer (refused, reset, timed out): the grab may or may not have happened.
            sample = new Sample(Outcomes.TransportError, 0, _body.Length, 0);
        }
        Interlocked.Increment(ref _allCounts[sample.Outcome]);
        return sample;
    }

    // Requests are bounded by the connection's timeouts, not by the run's cancellation: once sent, a
    // grab's answer is awaited so that the harness's counts stay comparable with the ledger.
    private async ValueTask<Sample> GrabAsync(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _grabUri) { Content = new ByteArrayContent(_body), Version = System.Net.HttpVersion.Version11 };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        var timeout = _connection.Timeouts.Token;
        using var response = await _connection.Invoker.SendAsync(request, timeout);
        var status = (int)response.StatusCode;
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = await ResponseBody.ReadAsync(response, buffer, timeout);
            long amount = 0;
            var outcome = status == 400 ? Invalid : Classify(buffer.AsSpan(0, Math.Min(length, buffer.Length)), out amount);
            if (outcome == Won)
            {
                Interlocked.Add(ref _wonCents, amount);
            }
            return new Sample(outcome < 0 ? Outcomes.HttpError : outcome, status, _body.Length, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The outcome index named by the body's top-level "outcome" field (-1 if none), and its amountCents.</summary>
    internal static int Classify(ReadOnlySpan<byte> json, out long amountCents)
    {
        amountCents = 0;
        var outcome = -1;
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }
                if (reader.ValueTextEquals(ErpApi.OutcomeField) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    for (var i = 0; i < OutcomeNames.Length; i++)
                    {
                        if (reader.ValueTextEquals(OutcomeNames[i]))
                        {
                            outcome = i;
                            break;
                        }
                    }
                }
                else if (reader.ValueTextEquals(ErpApi.AmountCentsField) && reader.Read() && reader.TokenType == JsonTokenType.Number)
                {
                    reader.TryGetInt64(out amountCents);
                }
            }
        }
        catch (JsonException)
        {
            return -1;
        }
        return outcome;
    }
}
