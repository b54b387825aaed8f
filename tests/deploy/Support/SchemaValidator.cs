namespace ElasticRedPacket.Deploy.Tests.Support;

/// <summary>
/// deploy/k8s/validate/validate.mjs: the kubernetes-models schemas plus the unknown-field and
/// removed-API checks. Its packages are installed once with `npm ci` from the committed lock file.
/// </summary>
internal static class SchemaValidator
{
    private static readonly string Dir = Path.Combine(Kustomize.K8sDir, "validate");
    private static readonly Lazy<bool> Installed = new(Install);

    public sealed record Report(int ExitCode, IReadOnlyList<string> Problems, string Summary);

    public static Report Validate(string yaml)
    {
        _ = Installed.Value;
        var result = Tool.Run("node", ["validate.mjs"], Dir, yaml, TimeSpan.FromSeconds(60));
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            throw new InvalidOperationException("validate.mjs printed nothing: " + result.Error);
        }
        return new Report(result.ExitCode, lines[..^1], lines[^1]);
    }

    private static bool Install()
    {
        var lockFile = Path.Combine(Dir, "package-lock.json");
        var installedLock = Path.Combine(Dir, "node_modules", ".package-lock.json");
        if (File.Exists(installedLock) && File.GetLastWriteTimeUtc(installedLock) >= File.GetLastWriteTimeUtc(lockFile))
        {
            return true;
        }
        var result = Tool.Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Dir, timeout: TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {Dir} failed: {result.Error}");
        }
        return true;
    }
}
