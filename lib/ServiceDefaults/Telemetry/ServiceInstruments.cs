using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ElasticRedPacket.ServiceDefaults.Telemetry;

/// <summary>The service names: each is its process's OpenTelemetry service.name, Meter name and ActivitySource name.</summary>
public static class ServiceNames
{
    public const string Webpage = "webpage";
    public const string Account = "account";
    public const string RedPacket = "redpacket";
    public const string Monitor = "monitor";
}

/// <summary>
/// Base of each service's own instruments: one Meter and one ActivitySource named after the service,
/// the names <see cref="TelemetryExtensions.AddTelemetry"/> subscribes to. Instrument names start with
/// "erp."; without an OTLP endpoint nothing listens and recording costs a branch.
/// </summary>
public abstract class ServiceInstruments
{
    // One ActivitySource per name for the process, never disposed: disposing one while another host's
    // tracer provider detaches its listener throws inside ActivitySource (tests run many hosts at once).
    private static readonly ConcurrentDictionary<string, ActivitySource> Sources = new(StringComparer.Ordinal);

    protected ServiceInstruments(IMeterFactory meterFactory, string serviceName)
    {
        Meter = meterFactory.Create(serviceName); // owned and disposed by the host's meter factory
        ActivitySource = Sources.GetOrAdd(serviceName, static name => new ActivitySource(name));
    }

    public Meter Meter { get; }

    public ActivitySource ActivitySource { get; }

    /// <summary>A histogram of batch sizes, in power-of-two buckets from 1 to 1024.</summary>
    protected Histogram<int> CreateBatchSizeHistogram(string name, string unit, string description) =>
        Meter.CreateHistogram(name, unit, description, tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    /// <summary>One cached tag per value of a closed set, so recording allocates nothing.</summary>
    protected static KeyValuePair<string, object?>[] TagsFor(string key, IReadOnlyList<string> values)
    {
        var tags = new KeyValuePair<string, object?>[values.Count];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = new KeyValuePair<string, object?>(key, values[i]);
        }
        return tags;
    }
}
