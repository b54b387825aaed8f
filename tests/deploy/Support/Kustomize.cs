using System.Collections.Concurrent;

namespace ElasticRedPacket.Deploy.Tests.Support;

/// <summary>Renders deploy/k8s overlays with kubectl's built-in kustomize (once per overlay per run).</summary>
internal static class Kustomize
{
    public static readonly string K8sDir = Path.Combine(StackEnvironment.RepoRoot, "deploy", "k8s");

    private static readonly ConcurrentDictionary<string, Lazy<string>> Rendered = new();

    /// <summary>Every overlay folder under deploy/k8s/overlays: a new overlay is tested without listing it here.</summary>
    public static IEnumerable<string> Overlays() =>
        Directory.GetDirectories(Path.Combine(K8sDir, "overlays")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static string Render(string overlay) =>
        Rendered.GetOrAdd(overlay, o => new Lazy<string>(() => RenderDirectory(Path.Combine(K8sDir, "overlays", o)))).Value;

    public static List<JsonObject> Documents(string overlay) => Yaml.Documents(Render(overlay));

    public static string RenderDirectory(string directory)
    {
        var result = Tool.Run("kubectl", ["kustomize", directory], timeout: TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed: {result.Error}");
        }
        return result.Output;
    }
}
