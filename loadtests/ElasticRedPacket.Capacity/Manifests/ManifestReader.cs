using System.Diagnostics;
using ElasticRedPacket.Capacity.Autoscaling;
using ElasticRedPacket.LoadTests.Cli;
using YamlDotNet.RepresentationModel;

namespace ElasticRedPacket.Capacity.Manifests;

/// <summary>
/// Reads the autoscalers and CPU requests from rendered manifests (the output of
/// <c>kubectl kustomize deploy/k8s/overlays/&lt;name&gt;</c>), so the simulation uses what would be applied.
/// </summary>
public static class ManifestReader
{
    /// <summary>Renders an overlay with kubectl's built-in kustomize and reads it.</summary>
    public static ClusterManifests FromOverlay(string repoRoot, string overlay)
    {
        var directory = Path.Combine(repoRoot, "deploy", "k8s", "overlays", overlay);
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--overlay {overlay}: {directory} does not exist");
        }
        return Parse(Render(directory), $"kubectl kustomize deploy/k8s/overlays/{overlay}");
    }

    public static ClusterManifests FromFile(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new UsageException($"--manifests {path}: no such file");

    public static string Render(string directory)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(directory);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {directory} took longer than 60 s");
        }
        return process.ExitCode == 0
            ? output.GetAwaiter().GetResult()
            : throw new InvalidOperationException($"kubectl kustomize {directory} failed: {error.GetAwaiter().GetResult()}");
    }

    public static ClusterManifests Parse(string yaml, string source)
    {
        var autoscalers = new List<AutoscalerSpec>();
        var deployments = new List<DeploymentCpu>();
        foreach (var doc in Yaml.Documents(yaml))
        {
            switch ((doc.Text("apiVersion"), doc.Text("kind")))
            {
                case ("autoscaling/v2", "HorizontalPodAutoscaler"):
                    autoscalers.Add(ReadHpa(doc));
                    break;
                case ("keda.sh/v1alpha1", "ScaledObject"):
                    autoscalers.Add(ReadScaledObject(doc));
                    break;
                case ("apps/v1", "Deployment"):
                    var container = doc.Items("spec", "template", "spec", "containers").FirstOrDefault();
                    deployments.Add(new(doc.Text("metadata", "name") ?? "", Yaml.MilliCores(container.Text("resources", "requests", "cpu")),
                        Yaml.MilliCores(container.Text("resources", "limits", "cpu"))));
                    break;
            }
        }
        return new(source, autoscalers, deployments);
    }

    private static AutoscalerSpec ReadHpa(YamlMappingNode doc)
    {
        var name = doc.Text("metadata", "name") ?? "";
        var warnings = new List<string>();
        var metrics = new List<MetricSpec>();
        foreach (var metric in doc.Items("spec", "metrics"))
        {
            if (metric.Text("type") == "Resource" && metric.Text("resource", "name") == "cpu" && metric.Text("resource", "target", "type") == "Utilization")
            {
                metrics.Add(new CpuUtilizationMetric("cpu", metric.Int("resource", "target", "averageUtilization") ?? 80));
            }
            else
            {
                warnings.Add($"{name}: metric {metric.Text("type")} {metric.Text("resource", "name")} is not simulated");
            }
        }
        if (doc.At("spec", "metrics") is null)
        {
            metrics.Add(new CpuUtilizationMetric("cpu", 80)); // the API's default metric
        }
        return new("HorizontalPodAutoscaler", name, doc.Text("spec", "scaleTargetRef", "name") ?? "", doc.Int("spec", "minReplicas") ?? 1,
            doc.Int("spec", "maxReplicas") ?? throw new FormatException($"HPA {name} has no maxReplicas"), metrics,
            ReadBehavior(doc.At("spec", "behavior")), 15, warnings);
    }

    private static AutoscalerSpec ReadScaledObject(YamlMappingNode doc)
    {
        var name = doc.Text("metadata", "name") ?? "";
        var warnings = new List<string>();
        var metrics = new List<MetricSpec>();
        foreach (var trigger in doc.Items("spec", "triggers"))
        {
            var type = trigger.Text("type");
            var triggerName = trigger.Text("name") ?? type ?? "";
            var metric = type switch
            {
                "cpu" when (trigger.Text("metricType") ?? "Utilization") == "Utilization" =>
                    new CpuUtilizationMetric(triggerName, (int)(trigger.Number("metadata", "value") ?? 0)),
                "rabbitmq" when (trigger.Text("metadata", "mode") ?? "QueueLength") == "QueueLength" => new QueueLengthMetric(triggerName,
                    trigger.Text("metadata", "queueName") ?? "", trigger.Number("metadata", "value") ?? 20,
                    trigger.Number("metadata", "activationValue") ?? 0, trigger.Text("metadata", "protocol") ?? "auto",
                    string.Equals(trigger.Text("useCachedMetrics"), "true", StringComparison.OrdinalIgnoreCase)),
                "cron" => new CronMetric(triggerName, trigger.Text("metadata", "timezone") ?? "", trigger.Text("metadata", "start") ?? "",
                    trigger.Text("metadata", "end") ?? "", (int)(trigger.Number("metadata", "desiredReplicas") ?? 1)),
                _ => (MetricSpec?)null,
            };
            if (metric is null)
            {
                warnings.Add($"{name}: trigger {triggerName} ({type}) is not simulated");
            }
            else
            {
                metrics.Add(metric);
            }
        }
        var min = doc.Int("spec", "minReplicaCount") ?? 0;
        if (min == 0)
        {
            warnings.Add($"{name}: minReplicaCount 0 (activation from zero) is simulated as 1");
        }
        return new("ScaledObject", name, doc.Text("spec", "scaleTargetRef", "name") ?? "", Math.Max(1, min), doc.Int("spec", "maxReplicaCount") ?? 100,
            metrics, ReadBehavior(doc.At("spec", "advanced", "horizontalPodAutoscalerConfig", "behavior")),
            doc.Int("spec", "pollingInterval") ?? 30, warnings);
    }

    private static HpaBehavior? ReadBehavior(YamlNode? behavior) =>
        behavior is null ? null : HpaBehavior.FromSpec(ReadRules(behavior.At("scaleUp")), ReadRules(behavior.At("scaleDown")));

    private static ScalingRulesSpec? ReadRules(YamlNode? rules)
    {
        if (rules is null)
        {
            return null;
        }
        var select = rules.Text("selectPolicy") is { } text ? Enum.Parse<SelectPolicy>(text) : (SelectPolicy?)null;
        var policies = rules.At("policies") is null ? null : rules.Items("policies").Select(p => new ScalingPolicy(
            Enum.Parse<ScalingPolicyType>(p.Text("type") ?? ""), p.Int("value") ?? 0, p.Int("periodSeconds") ?? 15)).ToList();
        return new(rules.Int("stabilizationWindowSeconds"), select, policies);
    }
}
