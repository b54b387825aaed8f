using System.Text.RegularExpressions;

namespace ElasticRedPacket.Deploy.Tests.Images;

/// <summary>One instruction of a Dockerfile (continuation lines joined) and the stage it belongs to.</summary>
internal sealed record Instruction(string Stage, string Keyword, string Arguments);

/// <summary>A Dockerfile parsed into stages and instructions; enough to check rules and to replay a build stage.</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Instruction> instructions) => Instructions = instructions;

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<string> Stages => Instructions.Select(i => i.Stage).Distinct().ToList();

    public static Dockerfile Load(string service) => Parse(File.ReadAllText(PathOf(service)));

    public static string PathOf(string service) => Path.Combine(StackEnvironment.RepoRoot, "services", service, "Dockerfile");

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<Instruction>();
        var stage = "";
        var index = 0;
        foreach (var line in LogicalLines(text))
        {
            var match = InstructionLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException("not a Dockerfile instruction: " + line);
            }
            var keyword = match.Groups[1].Value.ToUpperInvariant();
            var arguments = match.Groups[2].Value.Trim();
            if (keyword == "FROM")
            {
                var alias = FromAlias().Match(arguments);
                stage = alias.Success ? alias.Groups[1].Value : $"stage{index}";
                index++;
            }
            instructions.Add(new Instruction(stage, keyword, arguments));
        }
        return new Dockerfile(instructions);
    }

    public IEnumerable<Instruction> In(string stage, string keyword) => Instructions.Where(i => i.Stage == stage && i.Keyword == keyword);

    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            yield return current + line;
            current = "";
        }
        if (current.Length > 0)
        {
            yield return current;
        }
    }

    [GeneratedRegex(@"^\s*([A-Za-z]+)\s+(.*)$")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"\s+AS\s+(\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex FromAlias();
}
