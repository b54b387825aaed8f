namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>The public routes (HTTPRoute or Ingress) equal the local nginx routes, and /internal stays private.</summary>
internal static class RoutingRules
{
    public static IEnumerable<string> Check(IReadOnlyList<JsonObject> docs, IReadOnlyList<Route> nginx)
    {
        var routes = HttpRoutes(docs).Concat(IngressRoutes(docs)).ToList();
        if (routes.Count == 0)
        {
            yield return "no HTTPRoute or Ingress routes anything";
            yield break;
        }
        var expected = nginx.Select(r => r.ToString()).Order(StringComparer.Ordinal).ToList();
        foreach (var group in routes.GroupBy(r => r.Source))
        {
            var actual = group.Select(r => r.Route.ToString()).Order(StringComparer.Ordinal).ToList();
            if (!actual.SequenceEqual(expected))
            {
                yield return $"{group.Key} routes [{string.Join("; ", actual)}] differ from deploy/local/nginx.sh [{string.Join("; ", expected)}]";
            }
        }
        var services = docs.OfKind("Service").Select(s => s.Name()).ToHashSet();
        foreach (var (source, route) in routes)
        {
            if (!services.Contains(route.Service))
            {
                yield return $"{source} sends {route.Path} to Service {route.Service}, which is not rendered";
            }
            if (route.Service == "account" && ("/internal/verify".StartsWith(route.Path, StringComparison.Ordinal) && route.Path != "/"))
            {
                yield return $"{source} exposes account's /internal through {route.Path}";
            }
        }
    }

    private static IEnumerable<(string Source, Route Route)> HttpRoutes(IReadOnlyList<JsonObject> docs) =>
        from r in docs.OfKind("HTTPRoute")
        from rule in r["spec"]?["rules"].Objects() ?? []
        from match in rule["matches"].Objects()
        from backend in rule["backendRefs"].Objects()
        select ($"HTTPRoute {r.Name()}", new Route(match["path"]?["type"].Str() ?? "PathPrefix", match["path"]?["value"].Str() ?? "/", backend["name"].Str() ?? ""));

    private static IEnumerable<(string Source, Route Route)> IngressRoutes(IReadOnlyList<JsonObject> docs) =>
        from i in docs.OfKind("Ingress")
        from rule in i["spec"]?["rules"].Objects() ?? []
        from path in rule["http"]?["paths"].Objects() ?? []
        select ($"Ingress {i.Name()}", new Route(path["pathType"].Str() == "Exact" ? "Exact" : "PathPrefix", path["path"].Str() ?? "/", path["backend"]?["service"]?["name"].Str() ?? ""));
}
