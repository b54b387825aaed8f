using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>Without a database connection string: the ledger through monitor's operator API (claims pages, the released figure).</summary>
public sealed class MonitorLedgerReader(ErpClient client)
{
    private const int PageSize = 1000;

    public async Task<CampaignLedger> ReadAsync(long campaignId, long totalCents, MonitorView view, QueueDepth queue, CancellationToken cancellationToken)
    {
        var claims = new List<LedgerClaim>();
        for (var page = 1; ; page++)
        {
            var rows = await client.GetClaimsPageAsync(campaignId, page, PageSize, cancellationToken);
            claims.AddRange(rows);
            if (rows.Count < PageSize || page > 100_000)
            {
                break;
            }
        }
        return new CampaignLedger(campaignId, totalCents, view.PacketCount, claims, null, view.Released, queue, 0, "monitor API");
    }
}
