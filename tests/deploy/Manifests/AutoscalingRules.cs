using System.Text.Json;
using System.Text.RegularExpressions;

namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>One autoscaler per Deployment, the grab path never below two, bursts up fast and down slowly, KEDA done right.</summary>
internal static class AutoscalingRules
{
    public const long ScaleDownStabilizationSeconds = 300;

    public static IEnumerable<string> Check(IReadOnlyList<JsonObject> docs)
    {
        var hpas = docs.OfKind("HorizontalPodAutoscaler").ToList();
        var scaledObjects = docs.OfKind("ScaledObject").ToList();
        foreach (var hpa in hpas.Where(h => h["apiVersion"].Str() != "autoscaling/v2"))
        {
            yield return $"HorizontalPodAutoscaler {hpa.Name()}: must be autoscaling/v2";
        }
        foreach (var deployment in docs.OfKind("Deployment"))
        {
            var name = deployment.Name();
            var owners = hpas.Where(h => h["spec"]?["scaleTargetRef"]?["kind"].Str() == "Deployment" && h["spec"]?["scaleTargetRef"]?["name"].Str() == name)
                .Concat(scaledObjects.Where(s => (s["spec"]?["scaleTargetRef"]?["kind"].Str() ?? "Deployment") == "Deployment" && s["spec"]?["scaleTargetRef"]?["name"].Str() == name))
                .ToList();
            if (owners.Count > 1)
            {
                yield return $"Deployment {name}: {owners.Count} autoscalers ({string.Join(", ", owners.Select(o => o.Kind() + " " + o.Name()))}); exactly one may own it";
            }
            if (owners.Count > 0 && deployment["spec"]?["replicas"] is not null)
            {
                yield return $"Deployment {name}: has spec.replicas although {owners[0].Kind()} {owners[0].Name()} owns the count";
            }
            if (ServiceCatalog.Autoscaler.TryGetValue(name, out var expected) && (owners.Count != 1 || owners[0].Kind() != expected))
            {
                yield return $"Deployment {name}: must be scaled by exactly one {expected}";
            }
            if (ServiceCatalog.MinimumTwo.Contains(name) && owners.Count == 1 && MinReplicas(owners[0]) < 2)
            {
                yield return $"Deployment {name}: every grab page needs it, the minimum must be at least 2 (is {MinReplicas(owners[0])})";
            }
        }
        foreach (var hpa in hpas)
        {
            foreach (var v in CheckBehavior(hpa["spec"]?["behavior"]))
            {
                yield return $"HorizontalPodAutoscaler {hpa.Name()}: behavior.{v}";
            }
        }
        foreach (var so in scaledObjects)
        {
            foreach (var v in CheckScaledObject(so, docs))
            {
                yield return $"ScaledObject {so.Name()}: {v}";
            }
        }
    }

    /// <summary>Bursts: scale up without waiting; scale down only after 300 s of lower demand.</summary>
    private static IEnumerable<string> CheckBehavior(JsonNode? behavior)
    {
        if (behavior?["scaleUp"]?["stabilizationWindowSeconds"].Int() != 0)
        {
            yield return "scaleUp.stabilizationWindowSeconds must be 0";
        }
        if (behavior?["scaleDown"]?["stabilizationWindowSeconds"].Int() != ScaleDownStabilizationSeconds)
        {
            yield return $"scaleDown.stabilizationWindowSeconds must be {ScaleDownStabilizationSeconds}";
        }
    }

    private static long MinReplicas(JsonObject owner) =>
        owner.Kind() == "ScaledObject" ? owner["spec"]?["minReplicaCount"].Int() ?? 0 : owner["spec"]?["minReplicas"].Int() ?? 1;

    private static IEnumerable<string> CheckScaledObject(JsonObject so, IReadOnlyList<JsonObject> docs)
    {
        foreach (var v in CheckBehavior(so["spec"]?["advanced"]?["horizontalPodAutoscalerConfig"]?["behavior"]))
        {
            yield return $"advanced.horizontalPodAutoscalerConfig.behavior.{v}";
        }
        var triggers = so["spec"]?["triggers"].Objects().ToList() ?? [];
        foreach (var trigger in triggers)
        {
            foreach (var (key, value) in trigger["metadata"] as JsonObject ?? [])
            {
                if (value?.GetValueKind() != JsonValueKind.String)
                {
                    yield return $"trigger {trigger["type"].Str()}: metadata.{key} must be a string (is {value?.GetValueKind().ToString() ?? "null"})";
                }
            }
            if (trigger["type"].Str() == "rabbitmq")
            {
                var auth = trigger["authenticationRef"]?["name"].Str();
                if (!docs.OfKind("TriggerAuthentication").Any(t => t.Name() == auth))
                {
                    yield return $"rabbitmq trigger: authenticationRef '{auth}' names no TriggerAuthentication";
                }
                if (trigger["metadata"]?["protocol"].Str() != "http")
                {
                    yield return "rabbitmq trigger: protocol must be http (ready + unacked; docs/deploy.md)";
                }
                // KEDA's operator queries from its own namespace: a bare Service name would not resolve.
                var rabbit = docs.OfKind("RabbitmqCluster").FirstOrDefault();
                var host = trigger["metadata"]?["host"].Str() ?? "";
                var expectedHost = $"http://{rabbit?.Name()}.{rabbit?["metadata"]?["namespace"].Str()}.svc:15672/";
                if (rabbit is null || host != expectedHost)
                {
                    yield return $"rabbitmq trigger: host must be the management API of the RabbitmqCluster, namespace-qualified ({expectedHost}), is {host}";
                }
            }
        }
        var types = triggers.Select(t => t["type"].Str()).ToHashSet();
        if (so["spec"]?["scaleTargetRef"]?["name"].Str() == "redpacket")
        {
            if (!types.SetEquals(["rabbitmq", "cpu", "cron"]))
            {
                yield return "redpacket needs exactly the rabbitmq, cpu and cron triggers";
            }
            var packets = triggers.FirstOrDefault(t => t["type"].Str() == "rabbitmq")?["metadata"];
            var pattern = packets?["queueName"].Str() ?? "";
            if (packets?["useRegex"].Str() != "true" || packets?["operation"].Str() != "sum"
                || !Regex.IsMatch("erp.campaign.42.packets", "^(" + pattern + ")$") || Regex.IsMatch("erp.monitor.grab-outcomes", "^(" + pattern + ")$"))
            {
                yield return "redpacket's rabbitmq trigger must sum every erp.campaign.<id>.packets queue (useRegex, operation sum) and nothing else";
            }
        }
        if (so["spec"]?["scaleTargetRef"]?["name"].Str() == "monitor"
            && (!types.SetEquals(["rabbitmq", "cpu"]) || triggers.First(t => t["type"].Str() == "rabbitmq")["metadata"]?["queueName"].Str() != "erp.monitor.grab-outcomes"))
        {
            yield return "monitor needs a cpu trigger and a rabbitmq trigger on erp.monitor.grab-outcomes";
        }
    }
}
