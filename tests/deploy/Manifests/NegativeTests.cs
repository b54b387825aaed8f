using ElasticRedPacket.Deploy.Tests.Support;

namespace ElasticRedPacket.Deploy.Tests.Manifests;

/// <summary>Each check rejects a deliberately broken manifest: the validators can fail.</summary>
public sealed class NegativeTests
{
    private static List<JsonObject> Prod() => Kustomize.Documents("prod").Select(d => (JsonObject)d.DeepClone()).ToList();

    private static JsonObject Find(List<JsonObject> docs, string kind, string name) => docs.Single(d => d.Kind() == kind && d.Name() == name);

    private static JsonObject Container(List<JsonObject> docs, string deployment) =>
        Find(docs, "Deployment", deployment)["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    [Theory]
    [InlineData("readinesProbe", "unknown field /spec/template/spec/containers/0/readinesProbe")]
    [InlineData("replica", "unknown field /spec/replica")]
    public void SchemaValidator_MisspelledField_IsRejected(string field, string expected)
    {
        var yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: x}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers: [{name: a, image: x}]
            """;
        yaml = field == "replica"
            ? yaml.Replace("spec:\n  selector", "spec:\n  replica: 3\n  selector", StringComparison.Ordinal)
            : yaml.Replace("image: x}", "image: x, readinesProbe: {httpGet: {path: /readyz, port: 8080}}}", StringComparison.Ordinal);
        var report = SchemaValidator.Validate(yaml);
        Assert.Equal(1, report.ExitCode);
        Assert.Contains(report.Problems, p => p.EndsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("autoscaling/v2beta2", "HorizontalPodAutoscaler")]
    [InlineData("policy/v1beta1", "PodDisruptionBudget")]
    [InlineData("networking.k8s.io/v1beta1", "Ingress")]
    [InlineData("extensions/v1beta1", "Deployment")]
    [InlineData("gateway.networking.k8s.io/v1beta1", "HTTPRoute")]
    public void SchemaValidator_RemovedApiVersion_IsRejected(string apiVersion, string kind)
    {
        var report = SchemaValidator.Validate($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{}}\n");
        Assert.Equal(1, report.ExitCode);
        Assert.Contains(report.Problems, p => p.Contains($"apiVersion {apiVersion}", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemaValidator_KedaNumberMetadataAndHpaFieldName_AreRejected()
    {
        var report = SchemaValidator.Validate("""
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: x}
            spec:
              scaleTargetRef: {name: x}
              minReplicas: 2
              triggers: [{type: cpu, metadata: {value: 60}}]
            """);
        Assert.Contains(report.Problems, p => p.Contains("metadata/value must be string", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.EndsWith("unknown field /spec/minReplicas", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemaValidator_RabbitmqClusterTypo_IsRejected()
    {
        var report = SchemaValidator.Validate("apiVersion: rabbitmq.com/v1beta1\nkind: RabbitmqCluster\nmetadata: {name: r}\nspec: {replicas: 3, resources: {requets: {cpu: 1}}}\n");
        Assert.Contains(report.Problems, p => p.EndsWith("unknown field /spec/resources/requets", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemaValidator_UnknownKind_IsRejected()
    {
        var report = SchemaValidator.Validate("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
        Assert.Contains(report.Problems, p => p.Contains("unknown apiVersion/kind", StringComparison.Ordinal));
    }

    [Fact]
    public void DeploymentRules_MissingRequestsProbePreStopAndPdb_AreReported()
    {
        var docs = Prod();
        var container = Container(docs, "account");
        container["resources"]!["requests"]!.AsObject().Remove("cpu");
        container.Remove("readinessProbe");
        container.Remove("lifecycle");
        docs.Remove(Find(docs, "PodDisruptionBudget", "account"));
        var violations = string.Join('\n', DeploymentRules.Check(docs));
        Assert.Contains("Deployment account: container account has no resources.requests.cpu", violations, StringComparison.Ordinal);
        Assert.Contains("Deployment account: container account has no readinessProbe", violations, StringComparison.Ordinal);
        Assert.Contains("Deployment account: container account has no lifecycle.preStop", violations, StringComparison.Ordinal);
        Assert.Contains("Deployment account: needs exactly one PodDisruptionBudget", violations, StringComparison.Ordinal);
    }

    [Fact]
    public void DeploymentRules_GracePeriodNotAboveSleepPlusDrain_IsReported()
    {
        var docs = Prod();
        Find(docs, "Deployment", "redpacket")["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"] = 25;
        Assert.Contains(DeploymentRules.Check(docs), v => v == "Deployment redpacket: terminationGracePeriodSeconds 25 must exceed preStop sleep 10 + drain 20");
    }

    [Fact]
    public void AutoscalingRules_HpaBesideScaledObjectAndFixedReplicas_AreReported()
    {
        var docs = Prod();
        var extra = (JsonObject)Find(docs, "HorizontalPodAutoscaler", "webpage").DeepClone();
        extra["metadata"]!["name"] = "redpacket-cpu";
        extra["spec"]!["scaleTargetRef"]!["name"] = "redpacket";
        docs.Add(extra);
        Find(docs, "Deployment", "account")["spec"]!["replicas"] = 3;
        var violations = string.Join('\n', AutoscalingRules.Check(docs));
        Assert.Contains("Deployment redpacket: 2 autoscalers", violations, StringComparison.Ordinal);
        Assert.Contains("Deployment account: has spec.replicas", violations, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoscalingRules_MinimumOneAndWrongStabilization_AreReported()
    {
        var docs = Prod();
        Find(docs, "ScaledObject", "redpacket")["spec"]!["minReplicaCount"] = 1;
        Find(docs, "ScaledObject", "monitor")["spec"]!["minReplicaCount"] = 1;
        Find(docs, "HorizontalPodAutoscaler", "account")["spec"]!["behavior"]!["scaleDown"]!["stabilizationWindowSeconds"] = 60;
        Find(docs, "ScaledObject", "redpacket")["spec"]!["advanced"]!["horizontalPodAutoscalerConfig"]!["behavior"]!["scaleUp"]!["stabilizationWindowSeconds"] = 60;
        var violations = string.Join('\n', AutoscalingRules.Check(docs));
        Assert.Contains("Deployment redpacket: every grab page needs it, the minimum must be at least 2 (is 1)", violations, StringComparison.Ordinal);
        Assert.Contains("Deployment monitor: every grab page needs it, the minimum must be at least 2 (is 1)", violations, StringComparison.Ordinal);
        Assert.Contains("HorizontalPodAutoscaler account: behavior.scaleDown.stabilizationWindowSeconds must be 300", violations, StringComparison.Ordinal);
        Assert.Contains("ScaledObject redpacket: advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds must be 0", violations, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoscalingRules_NonStringTriggerMetadata_IsReported()
    {
        var docs = Prod();
        var cron = Find(docs, "ScaledObject", "redpacket")["spec"]!["triggers"]!.AsArray().Single(t => t!["type"].Str() == "cron")!;
        cron["metadata"]!["desiredReplicas"] = 16;
        Assert.Contains(AutoscalingRules.Check(docs), v => v.Contains("metadata.desiredReplicas must be a string (is Number)", StringComparison.Ordinal));
    }

    [Fact]
    public void AutoscalingRules_BareRabbitHostAndAmqpProtocol_AreReported()
    {
        var docs = Prod();
        var rabbit = Find(docs, "ScaledObject", "monitor")["spec"]!["triggers"]!.AsArray().Single(t => t!["type"].Str() == "rabbitmq")!;
        rabbit["metadata"]!["host"] = "http://erp-rabbitmq:15672/";
        rabbit["metadata"]!["protocol"] = "amqp";
        var violations = string.Join('\n', AutoscalingRules.Check(docs));
        Assert.Contains("ScaledObject monitor: rabbitmq trigger: host must be the management API of the RabbitmqCluster, namespace-qualified (http://erp-rabbitmq.erp.svc:15672/)", violations, StringComparison.Ordinal);
        Assert.Contains("ScaledObject monitor: rabbitmq trigger: protocol must be http", violations, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutingRules_MissingRouteAndInternalExposure_AreReported()
    {
        var docs = Prod();
        var rules = Find(docs, "HTTPRoute", "erp")["spec"]!["rules"]!.AsArray();
        rules.RemoveAt(rules.Count - 1);
        var internalRule = JsonNode.Parse("""{"matches":[{"path":{"type":"PathPrefix","value":"/internal"}}],"backendRefs":[{"name":"account","port":80}]}""");
        rules.Add(internalRule);
        var violations = string.Join('\n', RoutingRules.Check(docs, NginxRoutes.Load()));
        Assert.Contains("differ from deploy/local/nginx.sh", violations, StringComparison.Ordinal);
        Assert.Contains("exposes account's /internal through /internal", violations, StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceRules_WrongPortImageAndMissingSecret_AreReported()
    {
        var docs = Prod();
        var container = Container(docs, "monitor");
        container["ports"]![0]!["containerPort"] = 80;
        container["image"] = "registry.example.com/elasticredpacket/monitr:1.0.0";
        Find(docs, "RabbitmqCluster", "erp-rabbitmq")["spec"]!["image"] = "rabbitmq:latest";
        container["env"]!.AsArray().Add(JsonNode.Parse("""{"name":"X","valueFrom":{"secretKeyRef":{"name":"not-there","key":"k"}}}"""));
        var violations = string.Join('\n', ServiceRules.Check(docs));
        Assert.Contains("Deployment monitor: container port 'http' must be 8080", violations, StringComparison.Ordinal);
        Assert.Contains("run the image elasticredpacket/monitor", violations, StringComparison.Ordinal);
        Assert.Contains("refers to Secret not-there", violations, StringComparison.Ordinal);
        Assert.Contains("RabbitmqCluster erp-rabbitmq: image rabbitmq:latest must be pinned", violations, StringComparison.Ordinal);
    }
}
