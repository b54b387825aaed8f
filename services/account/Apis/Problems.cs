namespace ElasticRedPacket.Account.Apis;

internal static class Problems
{
    public static ProblemDetails Details(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    public static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);
}
