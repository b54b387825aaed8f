using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// A minimal OTLP/HTTP receiver (http/protobuf): keeps every body posted to /v1/{signal}. Protobuf
/// carries strings as UTF-8, so an instrument or span name that was exported appears in the bytes.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _posts = new();

    private OtlpCollector(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

    public IReadOnlyCollection<string> Paths => _posts.Select(p => p.Path).ToHashSet();

    /// <summary>The settings that make a service export to this collector.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Url,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    /// <summary>True when some body posted to /v1/{signal} (traces, metrics, logs) contains the name.</summary>
    public bool Received(string signal, string name)
    {
        var needle = Encoding.UTF8.GetBytes(name);
        return _posts.Any(p => p.Path == "/v1/" + signal && p.Body.AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>Fails with what did arrive (posts per signal and their sizes) when the name was not exported.</summary>
    public void AssertReceived(string signal, string name, string what) =>
        Assert.True(Received(signal, name), $"{what} not exported; {Describe()}");

    /// <summary>What arrived, for failure messages: "posts received: /v1/metrics 2 (5310 bytes), ...".</summary>
    public string Describe()
    {
        var posts = _posts.GroupBy(p => p.Path).Select(g => $"{g.Key} {g.Count()} ({g.Sum(p => p.Body.Length)} bytes)").ToList();
        return posts.Count == 0 ? "no posts received" : "posts received: " + string.Join(", ", posts);
    }

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (body.Length > 0)
            {
                collector._posts.Enqueue(("/v1/" + signal, body.ToArray()));
            }
            return Results.Ok();
        });
        await app.StartAsync();
        return collector;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
