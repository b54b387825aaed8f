using System.Diagnostics.Metrics;
using ElasticRedPacket.Account.Apis;
using ElasticRedPacket.Account.Services;
using ElasticRedPacket.ServiceDefaults.Telemetry;

namespace ElasticRedPacket.Account.Telemetry;

/// <summary>account's own instruments (docs/architecture.md, Observability): verify decisions and verify batch sizes.</summary>
public sealed class VerifyMetrics : ServiceInstruments
{
    public const string ResultsName = "erp.verify.results";
    public const string BatchSizeName = "erp.verify.batch.size";

    // Indexed by VerifyDecision: recording allocates nothing.
    private static readonly KeyValuePair<string, object?>[] ResultTags = TagsFor("result", VerifyApi.Decisions);

    private readonly Counter<long> _results;
    private readonly Histogram<int> _batchSize;

    public VerifyMetrics(IMeterFactory meterFactory)
        : base(meterFactory, ServiceNames.Account)
    {
        _results = Meter.CreateCounter<long>(ResultsName, "{verification}", "Grab verifications answered, by result (allowed, unauthorized, rate_limited, shed)");
        _batchSize = CreateBatchSizeHistogram(BatchSizeName, "{verification}", "Verifications asked in one call (1 for /internal/verify)");
    }

    public void Verified(ReadOnlySpan<Verification> verifications)
    {
        _batchSize.Record(verifications.Length);
        foreach (var verification in verifications)
        {
            _results.Add(1, ResultTags[(int)verification.Decision]);
        }
    }
}
