using ElasticRedPacket.Deploy.Tests.Support;

namespace ElasticRedPacket.Deploy.Tests.Manifests;

public sealed class OverlayTests
{
    public static TheoryData<string> Overlays => new(Kustomize.Overlays());

    [Fact]
    public void Overlays_Listed_IncludeLocalProdAndIngress()
    {
        Assert.Equal(["ingress", "local", "prod"], Kustomize.Overlays());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Render_EveryDocument_PassesSchemasWithoutUnknownFields(string overlay)
    {
        var report = SchemaValidator.Validate(Kustomize.Render(overlay));
        Assert.True(report.ExitCode == 0, string.Join('\n', report.Problems.Append(report.Summary)));
        Assert.Matches("^[1-9][0-9]* documents, 0 problems$", report.Summary);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Render_ProjectRules_Hold(string overlay)
    {
        var violations = ProjectRules.Check(Kustomize.Documents(overlay));
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Render_Infrastructure_IsComplete(string overlay)
    {
        var docs = Kustomize.Documents(overlay);
        Assert.Single(docs.OfKind("RabbitmqCluster"));
        Assert.Single(docs.OfKind("Cluster"), d => d["apiVersion"].Str() == "postgresql.cnpg.io/v1");
        Assert.Single(docs.OfKind("StatefulSet"), d => d.Name() == "erp-redis");
        Assert.Single(docs.OfKind("Deployment"), d => d.Name() == "otel-collector");
        Assert.Contains(docs.OfKind("ConfigMap"), d => d.Name() == "otel-collector" && d["data"]?["config.yaml"].Str()!.Contains("otlp:", StringComparison.Ordinal) == true);
        Assert.All(docs.Where(d => d.Kind() != "Namespace"), d => Assert.Equal("erp", d["metadata"]?["namespace"].Str()));
    }

    [Theory]
    [InlineData("prod")]
    [InlineData("ingress")]
    public void Render_Production_HasThreeRabbitNodesAndNoGeneratedSecrets(string overlay)
    {
        var docs = Kustomize.Documents(overlay);
        Assert.Equal(3, docs.OfKind("RabbitmqCluster").Single()["spec"]?["replicas"].Int());
        Assert.Equal(3, docs.OfKind("Cluster").Single()["spec"]?["instances"].Int());
        Assert.Empty(docs.OfKind("Secret"));
        Assert.All(docs.OfKind("Deployment").Where(d => ServiceCatalog.Assemblies.ContainsKey(d.Name())),
            d => Assert.StartsWith("registry.example.com/", d["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"].Str(), StringComparison.Ordinal));
    }

    [Fact]
    public void Render_Local_GeneratesOnlyFakeSecretValues()
    {
        var secret = Kustomize.Documents("local").OfKind("Secret").Single();
        Assert.Equal("erp-secrets", secret.Name());
        foreach (var (key, value) in secret["data"]!.AsObject())
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value.Str()!.Replace("\n", "", StringComparison.Ordinal)));
            var plain = key == "token-key" ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(decoded)) : decoded;
            Assert.StartsWith("FAKE-", plain, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Docs_ExternalSecrets_AreDocumented()
    {
        var docs = File.ReadAllText(Path.Combine(StackEnvironment.RepoRoot, "docs", "deploy.md"));
        Assert.All(ServiceCatalog.ExternalSecrets, name => Assert.Contains(name, docs, StringComparison.Ordinal));
    }

    [Fact]
    public void Docs_PinnedInfrastructureImages_AreTheOnesRendered()
    {
        var docs = File.ReadAllText(Path.Combine(StackEnvironment.RepoRoot, "docs", "deploy.md"));
        var infrastructure = ServiceRules.Images(Kustomize.Documents("prod"))
            .Where(i => !i.Image.Contains("elasticredpacket/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(infrastructure);
        Assert.All(infrastructure, i => Assert.True(docs.Contains(i.Image, StringComparison.Ordinal), $"docs/deploy.md does not name {i.Image} ({i.Owner})"));
    }

    [Fact]
    public void NginxRoutes_LocalScript_ParsesTheSixPublicRoutes()
    {
        var routes = NginxRoutes.Load().Select(r => r.ToString()).ToList();
        Assert.Equal(6, routes.Count);
        Assert.Contains("Exact /api/grab -> redpacket", routes);
        Assert.Contains("PathPrefix / -> webpage", routes);
    }
}
