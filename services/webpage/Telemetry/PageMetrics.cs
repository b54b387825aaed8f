using System.Diagnostics.Metrics;
using ElasticRedPacket.ServiceDefaults.Telemetry;

namespace ElasticRedPacket.Webpage.Telemetry;

/// <summary>
/// webpage's own instrument (docs/architecture.md, Observability): grab pages served, sent in full
/// (200) or revalidated from the browser's cache (304). Assets are left to the ASP.NET Core meters.
/// </summary>
public sealed class PageMetrics : ServiceInstruments
{
    public const string PagesServedName = "erp.page.served";

    private static readonly KeyValuePair<string, object?>[] Responses = TagsFor("response", ["full", "revalidated"]);

    private readonly Counter<long> _served;

    public PageMetrics(IMeterFactory meterFactory)
        : base(meterFactory, ServiceNames.Webpage)
    {
        _served = Meter.CreateCounter<long>(PagesServedName, "{page}", "Grab pages served, by response (full or revalidated)");
    }

    /// <summary>Counts the response if it is the grab page (/ or /index.html) answered 200 or 304.</summary>
    public void Answered(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.Equals("/", StringComparison.Ordinal) && !path.Equals("/index.html", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        switch (context.Response.StatusCode)
        {
            case StatusCodes.Status200OK:
                _served.Add(1, Responses[0]);
                break;
            case StatusCodes.Status304NotModified:
                _served.Add(1, Responses[1]);
                break;
        }
    }
}
