using System.Security.Cryptography;
using System.Text;

namespace ElasticRedPacket.ServiceDefaults.Auth;

/// <summary>Operator endpoints need the header X-Operator-Key equal to Auth:OperatorKey (compared in constant time).</summary>
public static class OperatorKey
{
    public const string Header = "X-Operator-Key";

    public static bool Matches(HttpContext context, string operatorKey)
    {
        var given = context.Request.Headers[Header].ToString();
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(operatorKey));
    }

    /// <summary>An endpoint filter answering 401 ProblemDetails unless the operator key matches.</summary>
    public static TBuilder RequireOperatorKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
            if (!Matches(context.HttpContext, options.OperatorKey))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Operator key required", detail: $"Send the operator key in the {Header} header.");
            }
            return await next(context);
        });
}
