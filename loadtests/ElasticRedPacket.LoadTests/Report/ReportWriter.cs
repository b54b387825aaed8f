using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>Writes report.json, report.md and report.html into the run's folder (loadtests/reports/&lt;scenario&gt;-&lt;timestamp&gt;/ by default).</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string DefaultFolder(string scenario, DateTimeOffset startedAt)
    {
        var root = FindRepoRoot() ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, "loadtests", "reports", $"{scenario}-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}");
    }

    public static IReadOnlyList<string> Write(RunReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new[] { Path.Combine(folder, "report.json"), Path.Combine(folder, "report.md"), Path.Combine(folder, "report.html") };
        File.WriteAllText(files[0], JsonSerializer.Serialize(report, Json));
        File.WriteAllText(files[1], MarkdownReport.Render(report));
        File.WriteAllText(files[2], HtmlReport.Render(report));
        return files;
    }

    public static string ToJson(RunReport report) => JsonSerializer.Serialize(report, Json);

    private static string? FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ElasticRedPacket.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }
}
