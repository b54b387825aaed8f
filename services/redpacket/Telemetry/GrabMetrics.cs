using System.Diagnostics;
using System.Diagnostics.Metrics;
using ElasticRedPacket.ServiceDefaults.Messaging;
using ElasticRedPacket.ServiceDefaults.Telemetry;

namespace ElasticRedPacket.RedPacket.Telemetry;

/// <summary>
/// redpacket's own instruments (docs/architecture.md, Observability): every grab answer by outcome,
/// the size of each claim batch, and an activity around each batch's commit to the ledger.
/// </summary>
public sealed class GrabMetrics : ServiceInstruments
{
    public const string OutcomesName = "erp.grab.outcomes";
    public const string ClaimBatchSizeName = "erp.claim.batch.size";
    public const string ClaimBatchCommitName = "erp.claim.batch.commit";

    // Indexed by GrabOutcome: the grab path adds to the counter without allocating.
    private static readonly KeyValuePair<string, object?>[] OutcomeTags = TagsFor("outcome", GrabOutcomes.All);

    private readonly Counter<long> _outcomes;
    private readonly Histogram<int> _claimBatchSize;

    public GrabMetrics(IMeterFactory meterFactory)
        : base(meterFactory, ServiceNames.RedPacket)
    {
        _outcomes = Meter.CreateCounter<long>(OutcomesName, "{grab}", "Grab answers, by outcome (won, already_won, sold_out, ...)");
        _claimBatchSize = CreateBatchSizeHistogram(ClaimBatchSizeName, "{claim}", "Claims written by one INSERT (group commit)");
    }

    public void Answered(GrabOutcome outcome) => _outcomes.Add(1, OutcomeTags[(int)outcome]);

    /// <summary>Records the batch size and starts the commit's activity (null when nobody listens).</summary>
    public Activity? StartClaimBatch(int claims)
    {
        _claimBatchSize.Record(claims);
        var activity = ActivitySource.StartActivity(ClaimBatchCommitName, ActivityKind.Internal);
        activity?.SetTag("erp.claim.batch.size", claims);
        return activity;
    }
}
