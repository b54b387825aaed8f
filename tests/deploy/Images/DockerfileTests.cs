using ElasticRedPacket.Deploy.Tests.Manifests;

namespace ElasticRedPacket.Deploy.Tests.Images;

public sealed class DockerfileTests
{
    public static TheoryData<string> Services => new(ServiceCatalog.Names);

    [Theory]
    [MemberData(nameof(Services))]
    public void Dockerfile_Service_FollowsTheImageRules(string service)
    {
        var violations = DockerfileRules.Check(Dockerfile.Load(service), service);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void Dockerfile_BrokenImage_IsRejected()
    {
        var broken = Dockerfile.Parse("""
            FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
            WORKDIR /src
            COPY services/webpage/ services/webpage/
            RUN dotnet publish services/webpage/ElasticRedPacket.Webpage.csproj -o /app/publish
            FROM mcr.microsoft.com/dotnet/sdk:10.0
            ENV ConnectionStrings__Postgres=Host=db;Password=hunter2
            COPY --from=build /app/publish .
            USER root
            EXPOSE 80
            ENTRYPOINT dotnet ElasticRedPacket.Webpage.dll
            """);
        var violations = string.Join('\n', DockerfileRules.Check(broken, "webpage"));
        Assert.Contains("runtime stage must start FROM mcr.microsoft.com/dotnet/aspnet:10.0", violations, StringComparison.Ordinal);
        Assert.Contains("non-root user", violations, StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080", violations, StringComparison.Ordinal);
        Assert.Contains("exec form", violations, StringComparison.Ordinal);
        Assert.Contains("no secrets or connection strings", violations, StringComparison.Ordinal);
        Assert.Contains("does not COPY lib/ServiceDefaults", violations, StringComparison.Ordinal);
        Assert.Contains("does not COPY Directory.Build.props", violations, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerIgnore_BuildOutputsAndLocalSecrets_AreExcluded()
    {
        var ignore = DockerIgnore.Load();
        Assert.True(ignore.Excludes("lib/ServiceDefaults/bin", isDirectory: true));
        Assert.True(ignore.Excludes("services/webpage/obj", isDirectory: true));
        Assert.True(ignore.Excludes(".local", isDirectory: true));
        Assert.True(ignore.Excludes(".git", isDirectory: true));
        Assert.False(ignore.Excludes("services/webpage/Program.cs", isDirectory: false));
    }

    [Fact]
    public void ServiceCatalog_Assemblies_MatchTheProjects()
    {
        Assert.All(ServiceCatalog.Assemblies, pair => Assert.Equal(pair.Value, DockerfileRules.AssemblyName(pair.Key)));
    }
}
