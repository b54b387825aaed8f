namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>Images, ports and references agree with the services' code and with each other.</summary>
internal static class ServiceRules
{
    public static IEnumerable<string> Check(IReadOnlyList<JsonObject> docs)
    {
        foreach (var service in ServiceCatalog.Names)
        {
            var deployment = docs.OfKind("Deployment").FirstOrDefault(d => d.Name() == service);
            if (deployment is null)
            {
                yield return $"no Deployment {service}";
                continue;
            }
            var container = deployment["spec"]?["template"]?["spec"]?["containers"].Objects().First();
            var image = container?["image"].Str() ?? "";
            var repository = image.Split('@')[0];
            repository = repository.LastIndexOf(':') > repository.LastIndexOf('/') ? repository[..repository.LastIndexOf(':')] : repository;
            if (!repository.EndsWith("elasticredpacket/" + service, StringComparison.Ordinal) || container?["name"].Str() != service)
            {
                yield return $"Deployment {service}: container must be named {service} and run the image elasticredpacket/{service} (is {image})";
            }
            var port = container?["ports"].Objects().FirstOrDefault(p => p["name"].Str() == "http");
            if (port?["containerPort"].Int() != ServiceCatalog.ContainerPort)
            {
                yield return $"Deployment {service}: container port 'http' must be {ServiceCatalog.ContainerPort} (the Dockerfile's EXPOSE)";
            }
            if (HttpPorts(container!, docs) != ServiceCatalog.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                yield return $"Deployment {service}: ASPNETCORE_HTTP_PORTS must be {ServiceCatalog.ContainerPort}";
            }
            var svc = docs.OfKind("Service").FirstOrDefault(s => s.Name() == service);
            if (svc?["spec"]?["ports"].Objects().Any(p => p["targetPort"].Str() == "http" || p["targetPort"].Int() == ServiceCatalog.ContainerPort) != true
                || !svc["spec"]!["selector"].Selects(deployment["spec"]?["template"]?["metadata"]?["labels"]))
            {
                yield return $"Service {service} must select the {service} pods and target port http";
            }
        }
        foreach (var v in References(docs))
        {
            yield return v;
        }
        foreach (var (owner, image) in Images(docs))
        {
            var tagged = image.Contains('@', StringComparison.Ordinal) || image.LastIndexOf(':') > image.LastIndexOf('/');
            if (!tagged || image.EndsWith(":latest", StringComparison.Ordinal))
            {
                yield return $"{owner}: image {image} must be pinned to a tag or digest (not latest)";
            }
        }
    }

    /// <summary>Every image a rendered overlay runs: pod containers, the RabbitmqCluster, the CloudNativePG Cluster.</summary>
    public static IEnumerable<(string Owner, string Image)> Images(IReadOnlyList<JsonObject> docs)
    {
        foreach (var doc in docs)
        {
            var pod = doc["spec"]?["template"]?["spec"];
            foreach (var c in (pod?["containers"].Objects() ?? []).Concat(pod?["initContainers"].Objects() ?? []))
            {
                yield return ($"{doc.Kind()} {doc.Name()}", c["image"].Str() ?? "");
            }
            if (doc.Kind() == "RabbitmqCluster")
            {
                yield return ($"RabbitmqCluster {doc.Name()}", doc["spec"]?["image"].Str() ?? "");
            }
            if (doc.Kind() == "Cluster")
            {
                yield return ($"Cluster {doc.Name()}", doc["spec"]?["imageName"].Str() ?? "");
            }
        }
    }

    private static string? HttpPorts(JsonObject container, IReadOnlyList<JsonObject> docs) =>
        container["env"].Objects().FirstOrDefault(e => e["name"].Str() == "ASPNETCORE_HTTP_PORTS")?["value"].Str()
        ?? container["envFrom"].Objects()
            .Select(s => docs.OfKind("ConfigMap").FirstOrDefault(m => m.Name() == s["configMapRef"]?["name"].Str())?["data"]?["ASPNETCORE_HTTP_PORTS"].Str())
            .FirstOrDefault(v => v is not null);

    /// <summary>Every ConfigMap and Secret a pod or KEDA reads is rendered, or is one of the documented external Secrets.</summary>
    private static IEnumerable<string> References(IReadOnlyList<JsonObject> docs)
    {
        var configMaps = docs.OfKind("ConfigMap").Select(d => d.Name()).ToHashSet();
        var secrets = docs.OfKind("Secret").Select(d => d.Name()).Concat(ServiceCatalog.ExternalSecrets).ToHashSet();
        foreach (var doc in docs)
        {
            foreach (var (kind, name) in Walk(doc))
            {
                if ((kind == "ConfigMap" && !configMaps.Contains(name)) || (kind == "Secret" && !secrets.Contains(name)))
                {
                    yield return $"{doc.Kind()} {doc.Name()}: refers to {kind} {name}, which is neither rendered nor a documented external Secret";
                }
            }
        }
    }

    private static IEnumerable<(string Kind, string Name)> Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var name = (value as JsonObject)?["name"].Str();
                    if (name is not null && key is "configMapKeyRef" or "configMapRef" or "configMap")
                    {
                        yield return ("ConfigMap", name);
                    }
                    if (name is not null && key is "secretKeyRef" or "secretRef")
                    {
                        yield return ("Secret", name);
                    }
                    if (key == "secret" && (value as JsonObject)?["secretName"].Str() is { } secretName)
                    {
                        yield return ("Secret", secretName);
                    }
                    if (key == "secretTargetRef")
                    {
                        foreach (var target in value.Objects())
                        {
                            yield return ("Secret", target["name"].Str() ?? "");
                        }
                    }
                    foreach (var found in Walk(value))
                    {
                        yield return found;
                    }
                }
                break;
            case JsonArray array:
                foreach (var found in array.SelectMany(Walk))
                {
                    yield return found;
                }
                break;
        }
    }
}
