using System.Security.Cryptography;
using System.Text;

namespace ElasticRedPacket.Monitor.Security;

/// <summary>
/// Operator endpoints need header X-Operator-Key equal to Auth:OperatorKey: missing -> 401,
/// wrong -> 403. Compared as SHA-256 digests in constant time, so neither content nor length leaks.
/// </summary>
public sealed class OperatorKeyFilter(IOptions<AuthOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Operator-Key";
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.OperatorKey));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0)
        {
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized, title: "Operator key required", detail: $"Send the operator key in the {HeaderName} header."));
        }
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        if (!CryptographicOperations.FixedTimeEquals(digest, _expected))
        {
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden, title: "Operator key rejected"));
        }
        return next(context);
    }
}
