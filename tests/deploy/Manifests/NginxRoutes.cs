using System.Text.RegularExpressions;

namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>A public route: Exact or PathPrefix match of a path, sent to a Service.</summary>
internal sealed record Route(string Match, string Path, string Service)
{
    public override string ToString() => $"{Match} {Path} -> {Service}";
}

/// <summary>The public routes of the local ingress, read from the location lines of deploy/local/nginx.sh.</summary>
internal static partial class NginxRoutes
{
    public static IReadOnlyList<Route> Load() => Parse(File.ReadAllText(Path.Combine(StackEnvironment.RepoRoot, "deploy", "local", "nginx.sh")));

    /// <summary>
    /// The public server block only (not the internal listener for service-to-service calls):
    /// `location = /p { proxy_pass http://svc; }` is Exact, `location /p {...}` is PathPrefix;
    /// the /_stack/ probe locations exist only locally.
    /// </summary>
    public static IReadOnlyList<Route> Parse(string script)
    {
        var start = script.IndexOf("listen 127.0.0.1:$PORT_NGINX;", StringComparison.Ordinal);
        var end = script.IndexOf("listen 127.0.0.1:$PORT_NGINX_INTERNAL;", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException("deploy/local/nginx.sh: the public server block (listen $PORT_NGINX) was not found");
        }
        return Location().Matches(script[start..end])
            .Select(m => new Route(m.Groups["exact"].Success ? "Exact" : "PathPrefix", m.Groups["path"].Value, m.Groups["service"].Value))
            .Where(r => !r.Path.StartsWith("/_stack/", StringComparison.Ordinal))
            .ToList();
    }

    [GeneratedRegex(@"^\s*location\s+(?<exact>=\s+)?(?<path>/\S*)\s*\{\s*proxy_pass\s+http://(?<service>[a-z]+)(/\S*)?;[^}\n]*\}", RegexOptions.Multiline)]
    private static partial Regex Location();
}
