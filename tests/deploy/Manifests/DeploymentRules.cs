namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>What every Deployment must have for safe autoscaling and rollouts; violations as sentences.</summary>
internal static class DeploymentRules
{
    public static IEnumerable<string> Check(IReadOnlyList<JsonObject> docs)
    {
        foreach (var deployment in docs.OfKind("Deployment"))
        {
            foreach (var v in CheckOne(deployment, docs))
            {
                yield return $"Deployment {deployment.Name()}: {v}";
            }
        }
    }

    private static IEnumerable<string> CheckOne(JsonObject deployment, IReadOnlyList<JsonObject> docs)
    {
        var pod = deployment["spec"]?["template"];
        var spec = pod?["spec"];
        var containers = spec?["containers"].Objects().ToList() ?? [];
        if (containers.Count == 0)
        {
            yield return "has no containers";
            yield break;
        }
        var isService = ServiceCatalog.Assemblies.ContainsKey(deployment.Name());
        foreach (var c in containers)
        {
            var name = c["name"].Str();
            foreach (var resource in new[] { "requests/cpu", "requests/memory", "limits/memory" })
            {
                var parts = resource.Split('/');
                if (c["resources"]?[parts[0]]?[parts[1]] is null)
                {
                    yield return $"container {name} has no resources.{parts[0]}.{parts[1]}";
                }
            }
            foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            {
                if (c[probe] is not JsonObject)
                {
                    yield return $"container {name} has no {probe}";
                }
            }
            if (isService && c["readinessProbe"]?["httpGet"]?["path"].Str() != "/readyz")
            {
                yield return $"container {name}: readinessProbe must be GET /readyz";
            }
            if (isService && (c["livenessProbe"]?["httpGet"]?["path"].Str() != "/healthz" || c["startupProbe"]?["httpGet"]?["path"].Str() != "/healthz"))
            {
                yield return $"container {name}: liveness and startup probes must be GET /healthz";
            }
            if (c["lifecycle"]?["preStop"] is not JsonObject)
            {
                yield return $"container {name} has no lifecycle.preStop";
            }
            var security = c["securityContext"];
            if (security?["readOnlyRootFilesystem"]?.GetValue<bool>() != true || security?["allowPrivilegeEscalation"]?.GetValue<bool>() != false
                || security?["capabilities"]?["drop"]?.AsArray().Any(x => x.Str() == "ALL") != true)
            {
                yield return $"container {name}: securityContext needs readOnlyRootFilesystem, no privilege escalation, capabilities drop ALL";
            }
        }

        var grace = spec?["terminationGracePeriodSeconds"].Int() ?? 30;
        var preStopSleep = containers[0]["lifecycle"]?["preStop"]?["sleep"]?["seconds"].Int() ?? 0;
        var drain = DrainSeconds(containers[0], docs, isService);
        if (grace <= preStopSleep + drain)
        {
            yield return $"terminationGracePeriodSeconds {grace} must exceed preStop sleep {preStopSleep} + drain {drain}";
        }
        if (spec?["securityContext"]?["runAsNonRoot"]?.GetValue<bool>() != true || spec?["securityContext"]?["seccompProfile"]?["type"].Str() != "RuntimeDefault")
        {
            yield return "pod securityContext needs runAsNonRoot and seccompProfile RuntimeDefault";
        }
        if (isService && !HasTmpEmptyDir(spec, containers[0]))
        {
            yield return "needs an emptyDir mounted at /tmp (the root filesystem is read-only)";
        }
        var maxUnavailable = deployment["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"];
        if (deployment["spec"]?["strategy"]?["type"].Str() is not (null or "RollingUpdate") || !(maxUnavailable.Int() == 0 || maxUnavailable.Str() == "0%"))
        {
            yield return "rolling update must have maxUnavailable 0";
        }
        if (spec?["topologySpreadConstraints"].Objects().Any() != true)
        {
            yield return "has no topologySpreadConstraints";
        }
        var namespaceName = deployment["metadata"]?["namespace"].Str();
        var pdbs = docs.OfKind("PodDisruptionBudget")
            .Where(p => p["metadata"]?["namespace"].Str() == namespaceName && (p["spec"]?["selector"]?["matchLabels"]).Selects(pod?["metadata"]?["labels"]))
            .ToList();
        if (pdbs.Count != 1 || pdbs[0]["spec"]?["maxUnavailable"].Int() != 1)
        {
            yield return $"needs exactly one PodDisruptionBudget with maxUnavailable 1 selecting its pods (found {pdbs.Count})";
        }
    }

    private static bool HasTmpEmptyDir(JsonNode? spec, JsonObject container)
    {
        var mount = container["volumeMounts"].Objects().FirstOrDefault(m => m["mountPath"].Str() == "/tmp");
        var volume = spec?["volumes"].Objects().FirstOrDefault(v => v["name"].Str() == mount?["name"].Str());
        return volume?["emptyDir"] is JsonObject;
    }

    /// <summary>Shutdown__DrainSeconds from the container's env or a ConfigMap it loads (the service default 20 otherwise).</summary>
    public static long DrainSeconds(JsonObject container, IReadOnlyList<JsonObject> docs, bool isService)
    {
        const string Key = "Shutdown__DrainSeconds";
        var direct = container["env"].Objects().FirstOrDefault(e => e["name"].Str() == Key)?["value"].Str();
        if (direct is not null)
        {
            return long.Parse(direct, System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var source in container["envFrom"].Objects())
        {
            var mapName = source["configMapRef"]?["name"].Str();
            var value = docs.OfKind("ConfigMap").FirstOrDefault(m => m.Name() == mapName)?["data"]?[Key].Str();
            if (value is not null)
            {
                return long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return isService ? 20 : 0;
    }
}
