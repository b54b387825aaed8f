using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ElasticRedPacket.Deploy.Tests.Manifests;

namespace ElasticRedPacket.Deploy.Tests.Images;

/// <summary>Multi-stage, SDK to build, ASP.NET to run, non-root, port 8080, no secrets, copies all it builds.</summary>
internal static partial class DockerfileRules
{
    public const string SdkImage = "mcr.microsoft.com/dotnet/sdk:10.0";
    public const string RuntimeImage = "mcr.microsoft.com/dotnet/aspnet:10.0";

    public static List<string> Check(Dockerfile file, string service)
    {
        var violations = new List<string>();
        var stages = file.Stages;
        if (stages.Count < 2)
        {
            return ["must be multi-stage (build and runtime)"];
        }
        var build = stages[0];
        var runtime = stages[^1];
        var buildFrom = file.In(build, "FROM").Single().Arguments;
        var runtimeFrom = file.In(runtime, "FROM").Single().Arguments.Split(' ')[0];
        if (!buildFrom.StartsWith(SdkImage + " ", StringComparison.Ordinal))
        {
            violations.Add($"the build stage must start FROM {SdkImage}");
        }
        if (!(runtimeFrom == RuntimeImage || runtimeFrom.StartsWith(RuntimeImage + "-", StringComparison.Ordinal)))
        {
            violations.Add($"the runtime stage must start FROM {RuntimeImage}[-variant] (is {runtimeFrom})");
        }
        var user = file.In(runtime, "USER").LastOrDefault()?.Arguments;
        if (user is null || user is "root" or "0" || user.StartsWith("0:", StringComparison.Ordinal) || !(user == "1654" || user == "app" || user == "$APP_UID"))
        {
            violations.Add($"the runtime stage must run as the non-root user app (USER 1654), is {user ?? "unset (root)"}");
        }
        if (!file.In(runtime, "EXPOSE").Any(e => e.Arguments == ServiceCatalog.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            violations.Add($"the runtime stage must EXPOSE {ServiceCatalog.ContainerPort}");
        }
        if (!file.In(runtime, "ENV").Any(e => e.Arguments.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal)))
        {
            violations.Add("the runtime stage must set ASPNETCORE_HTTP_PORTS=8080");
        }
        var entrypoint = file.In(runtime, "ENTRYPOINT").LastOrDefault()?.Arguments ?? "";
        var assembly = AssemblyName(service);
        if (!TryExecForm(entrypoint, out var argv) || !argv.SequenceEqual(["dotnet", assembly + ".dll"]))
        {
            violations.Add($"ENTRYPOINT must be [\"dotnet\", \"{assembly}.dll\"] in exec form (is {entrypoint})");
        }
        if (!file.In(runtime, "COPY").Any(c => c.Arguments.StartsWith($"--from={build} ", StringComparison.Ordinal)))
        {
            violations.Add("the runtime stage must copy only the published output from the build stage");
        }
        foreach (var env in file.Instructions.Where(i => i.Keyword is "ENV" or "ARG"))
        {
            if (SecretName().IsMatch(env.Arguments))
            {
                violations.Add($"{env.Keyword} {env.Arguments}: no secrets or connection strings in an image");
            }
        }
        var copied = file.In(build, "COPY").SelectMany(c => c.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();
        foreach (var needed in NeededSources(service))
        {
            if (!copied.Any(c => needed.StartsWith(c.TrimEnd('/'), StringComparison.Ordinal)))
            {
                violations.Add($"the build stage does not COPY {needed}, which the build needs");
            }
        }
        if (!file.In(build, "RUN").Any(r => r.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal)))
        {
            violations.Add("the build stage must RUN dotnet publish");
        }
        return violations;
    }

    public static string AssemblyName(string service)
    {
        var project = Directory.GetFiles(Path.Combine(StackEnvironment.RepoRoot, "services", service), "*.csproj").Single();
        return XDocument.Load(project).Descendants("AssemblyName").Single().Value;
    }

    /// <summary>Shared build settings, the migrations the shared project embeds, and every project the service references.</summary>
    public static IEnumerable<string> NeededSources(string service)
    {
        var root = StackEnvironment.RepoRoot;
        var needed = new SortedSet<string>(StringComparer.Ordinal) { "Directory.Build.props", "Directory.Packages.props", "global.json", "db/migrations" };
        var pending = new Stack<string>([Directory.GetFiles(Path.Combine(root, "services", service), "*.csproj").Single()]);
        while (pending.TryPop(out var project))
        {
            var dir = Path.GetDirectoryName(project)!;
            needed.Add(Path.GetRelativePath(root, dir).Replace('\\', '/'));
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(dir, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }
        return needed;
    }

    private static bool TryExecForm(string arguments, out string[] argv)
    {
        try
        {
            argv = JsonSerializer.Deserialize<string[]>(arguments) ?? [];
            return true;
        }
        catch (JsonException)
        {
            argv = [];
            return false;
        }
    }

    [GeneratedRegex(@"(PASSWORD|SECRET|TOKEN|OPERATORKEY|CONNECTIONSTRINGS)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
