using System.Diagnostics;
using System.Diagnostics.Metrics;
using ElasticRedPacket.ServiceDefaults.Telemetry;

namespace ElasticRedPacket.Monitor.Telemetry;

/// <summary>What became of one outcome batch: counted, duplicate (counted before), malformed (dead-lettered), failed (requeued).</summary>
public enum OutcomeBatchResult
{
    Counted,
    Duplicate,
    Malformed,
    Failed,
}

/// <summary>
/// monitor's own instruments (docs/architecture.md, Observability): batches and packets released to
/// RabbitMQ (an activity around each batch's release), and outcome batches consumed, by result.
/// </summary>
public sealed class MonitorMetrics : ServiceInstruments
{
    public const string BatchesReleasedName = "erp.release.batches";
    public const string PacketsReleasedName = "erp.release.packets";
    public const string ReleaseBatchName = "erp.release.batch";
    public const string OutcomeBatchesName = "erp.outcome.batches";

    private static readonly KeyValuePair<string, object?>[] ResultTags = TagsFor("result", ["counted", "duplicate", "malformed", "failed"]);

    private readonly Counter<long> _batchesReleased;
    private readonly Counter<long> _packetsReleased;
    private readonly Counter<long> _outcomeBatches;

    public MonitorMetrics(IMeterFactory meterFactory)
        : base(meterFactory, ServiceNames.Monitor)
    {
        _batchesReleased = Meter.CreateCounter<long>(BatchesReleasedName, "{batch}", "Packet batches published, confirmed and marked released");
        _packetsReleased = Meter.CreateCounter<long>(PacketsReleasedName, "{packet}", "Packets published and confirmed by the broker");
        _outcomeBatches = Meter.CreateCounter<long>(OutcomeBatchesName, "{batch}", "Outcome batches from redpacket handled, by result");
    }

    public Activity? StartRelease(long campaignId, int batchNo)
    {
        var activity = ActivitySource.StartActivity(ReleaseBatchName, ActivityKind.Producer);
        activity?.SetTag("erp.campaign.id", campaignId);
        activity?.SetTag("erp.batch.no", batchNo);
        return activity;
    }

    public void Released(int packets)
    {
        _batchesReleased.Add(1);
        _packetsReleased.Add(packets);
    }

    public void OutcomeBatches(OutcomeBatchResult result, int count)
    {
        if (count > 0)
        {
            _outcomeBatches.Add(count, ResultTags[(int)result]);
        }
    }
}
