using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ElasticRedPacket.Deploy.Tests.Manifests;
using ElasticRedPacket.Deploy.Tests.Support;

namespace ElasticRedPacket.Deploy.Tests.Images;

/// <summary>
/// No Docker engine here, so each Dockerfile's build stage (restore + publish) is replayed for real,
/// and the published service is started the way the image's ENTRYPOINT starts it, against the test
/// stack's servers: it must answer /healthz and /readyz and stop cleanly on SIGTERM.
/// </summary>
public sealed class PublishTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("erp-image-").FullName;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static TheoryData<string> Services => new(ServiceCatalog.Names);

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Publish_DockerfileBuildStage_StartsAndAnswersProbes(string service)
    {
        var image = BuildReplay.Build(Dockerfile.Load(service), _scratch);
        Assert.True(File.Exists(Path.Combine(image.WorkingDirectory, image.Entrypoint[^1])), $"{image.Entrypoint[^1]} was not published");

        var port = FreePort();
        var info = new ProcessStartInfo(Tool.Require(image.Entrypoint[0]))
        {
            WorkingDirectory = image.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in image.Entrypoint.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in image.Environment)
        {
            info.Environment[key] = value;
        }
        foreach (var (key, value) in StackEnvironment.Current.ServiceConfiguration())
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        // The image listens on 8080; here a free loopback port, the same override Kubernetes would not need.
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Shutdown__DrainSeconds"] = "2";
        using var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var baseUrl = new Uri($"http://127.0.0.1:{port}");
            await WaitFor200(process, new Uri(baseUrl, "/healthz"), TimeSpan.FromSeconds(60), log);
            await WaitFor200(process, new Uri(baseUrl, "/readyz"), TimeSpan.FromSeconds(30), log);

            Assert.Equal(0, Tool.Run("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode);
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(stopped.Token);
            Assert.True(process.ExitCode == 0, $"{service} exited with {process.ExitCode} after SIGTERM:\n{log}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task WaitFor200(Process process, Uri url, TimeSpan timeout, System.Text.StringBuilder log)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                Assert.Fail($"the published service exited ({process.ExitCode}) before {url} answered:\n{log}");
            }
            try
            {
                using var response = await Http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            await Task.Delay(250);
        }
        Assert.Fail($"{url} did not answer 200 within {timeout} (last: {last}):\n{log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }
}
