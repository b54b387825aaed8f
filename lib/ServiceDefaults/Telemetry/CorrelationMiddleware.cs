using System.Diagnostics;

namespace ElasticRedPacket.ServiceDefaults.Telemetry;

/// <summary>
/// Every request gets a correlation id: the caller's X-Correlation-Id, else the W3C trace id (when tracing is on),
/// else the connection's request id. It is echoed in the response and put in the log scope, so
/// one grab can be followed through nginx, redpacket and account.
/// </summary>
public static class CorrelationMiddleware
{
    public const string HeaderName = "X-Correlation-Id";

    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Correlation");
        return app.Use(async (context, next) =>
        {
            string correlationId = context.Request.Headers[HeaderName].ToString() is { Length: > 0 and <= 128 } incoming
                ? incoming
                : Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
            context.Response.Headers[HeaderName] = correlationId;
            using (logger.BeginScope(new CorrelationScope(correlationId)))
            {
                await next(context);
            }
        });
    }

    private sealed class CorrelationScope(string correlationId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public KeyValuePair<string, object> this[int index] => new("CorrelationId", correlationId);

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "CorrelationId:" + correlationId;
    }
}
