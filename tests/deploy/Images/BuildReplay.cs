using System.Text.RegularExpressions;
using ElasticRedPacket.Deploy.Tests.Support;

namespace ElasticRedPacket.Deploy.Tests.Images;

/// <summary>
/// Replays a Dockerfile without a Docker engine: the build stage's WORKDIR, COPY (from the repository
/// root, the build context, filtered by .dockerignore) and RUN (restore, publish) run for real in a
/// temporary folder standing in for the container's filesystem; the runtime stage's COPY --from, ENV,
/// WORKDIR and ENTRYPOINT describe how to start the result.
/// </summary>
internal sealed partial class BuildReplay
{
    private readonly string _root;
    private readonly DockerIgnore _ignore = DockerIgnore.Load();

    private BuildReplay(string root) => _root = root;

    public sealed record Image(string WorkingDirectory, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Entrypoint);

    public static Image Build(Dockerfile file, string scratch)
    {
        var replay = new BuildReplay(scratch);
        var stages = file.Stages;
        string workdir = "/";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var entrypoint = new List<string>();
        for (var s = 0; s < stages.Count; s++)
        {
            workdir = "/";
            var stage = stages[s];
            foreach (var instruction in file.Instructions.Where(i => i.Stage == stage))
            {
                switch (instruction.Keyword)
                {
                    case "WORKDIR":
                        workdir = Combine(workdir, instruction.Arguments);
                        Directory.CreateDirectory(replay.Host(stage, workdir));
                        break;
                    case "COPY":
                        replay.Copy(stage, workdir, instruction.Arguments);
                        break;
                    case "RUN":
                        replay.Run(stage, workdir, instruction.Arguments);
                        break;
                    case "ENV" when s == stages.Count - 1:
                        foreach (Match m in EnvPair().Matches(instruction.Arguments))
                        {
                            environment[m.Groups[1].Value] = m.Groups[2].Value;
                        }
                        break;
                    case "ENTRYPOINT":
                        entrypoint = System.Text.Json.JsonSerializer.Deserialize<List<string>>(instruction.Arguments) ?? [];
                        break;
                }
            }
        }
        return new Image(replay.Host(stages[^1], workdir), environment, entrypoint);
    }

    private static string Combine(string workdir, string path) => path.StartsWith('/') ? path : (workdir.TrimEnd('/') + "/" + path);

    /// <summary>Each stage has a filesystem of its own under the scratch folder.</summary>
    private string Host(string stage, string containerPath) => Path.Combine(_root, stage, containerPath.TrimStart('/'));

    private void Copy(string stage, string workdir, string arguments)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        string? fromStage = null;
        if (parts[0].StartsWith("--from=", StringComparison.Ordinal))
        {
            fromStage = parts[0]["--from=".Length..];
            parts.RemoveAt(0);
        }
        var destination = Combine(workdir, parts[^1]);
        foreach (var source in parts[..^1])
        {
            var from = fromStage is null ? Path.Combine(StackEnvironment.RepoRoot, source) : Host(fromStage, source);
            if (Directory.Exists(from))
            {
                CopyDirectory(from, Host(stage, destination), fromStage is null ? source.TrimEnd('/') : null);
            }
            else if (File.Exists(from))
            {
                var target = destination.EndsWith('/') || parts.Count > 2 ? Path.Combine(Host(stage, destination), Path.GetFileName(from)) : Host(stage, destination);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(from, target, overwrite: true);
            }
            else
            {
                throw new InvalidOperationException($"COPY {source}: not found in the build context");
            }
        }
    }

    private void CopyDirectory(string from, string to, string? contextPath)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var name = Path.GetFileName(entry);
            var relative = contextPath is null ? null : contextPath + "/" + name;
            if (relative is not null && _ignore.Excludes(relative, Directory.Exists(entry)))
            {
                continue;
            }
            if (Directory.Exists(entry))
            {
                CopyDirectory(entry, Path.Combine(to, name), relative);
            }
            else
            {
                File.Copy(entry, Path.Combine(to, name), overwrite: true);
            }
        }
    }

    private void Run(string stage, string workdir, string command)
    {
        // Absolute container paths (/src, /app/publish) point into this stage's stand-in filesystem.
        var hostCommand = ContainerPath().Replace(command, m => m.Groups[1].Value + Host(stage, m.Groups[2].Value));
        var result = Tool.Run("bash", ["-c", hostCommand], Host(stage, workdir), timeout: TimeSpan.FromMinutes(5),
            environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"RUN {command} failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
        }
    }

    [GeneratedRegex(@"(^|\s)(/[A-Za-z0-9_./-]*)")]
    private static partial Regex ContainerPath();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S*)")]
    private static partial Regex EnvPair();
}
