namespace ElasticRedPacket.Deploy.Tests.Images;

/// <summary>The .dockerignore forms this repository uses: "**/name/", "**/*.ext" and top-level "path/".</summary>
internal sealed class DockerIgnore
{
    private readonly List<string> _patterns;

    private DockerIgnore(List<string> patterns) => _patterns = patterns;

    public static DockerIgnore Load()
    {
        var path = Path.Combine(StackEnvironment.RepoRoot, ".dockerignore");
        return new DockerIgnore(File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList());
    }

    public bool Excludes(string relativePath, bool isDirectory)
    {
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        foreach (var pattern in _patterns)
        {
            var directoryOnly = pattern.EndsWith('/');
            var body = pattern.TrimEnd('/');
            if (directoryOnly && !isDirectory)
            {
                continue;
            }
            if (body.StartsWith("**/*.", StringComparison.Ordinal) && name.EndsWith(body[4..], StringComparison.Ordinal))
            {
                return true;
            }
            if (body.StartsWith("**/", StringComparison.Ordinal) && name == body[3..])
            {
                return true;
            }
            if (!body.Contains('*', StringComparison.Ordinal) && relativePath == body)
            {
                return true;
            }
        }
        return false;
    }
}
