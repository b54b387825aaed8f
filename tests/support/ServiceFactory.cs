using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// A service hosted in the test process against the real servers of the test stack.
/// Settings go in with UseSetting so they are visible while Program.cs wires its dependencies.
/// </summary>
public class ServiceFactory<TProgram> : WebApplicationFactory<TProgram> where TProgram : class
{
    private readonly Dictionary<string, string?> _settings;

    public ServiceFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    protected ServiceFactory(IDictionary<string, string?> overrides)
    {
        _settings = StackEnvironment.Current.ServiceConfiguration();
        foreach (var (key, value) in overrides)
        {
            _settings[key] = value;
        }
    }

    /// <summary>A host with some settings changed (a second replica, a fault, a different option).</summary>
    public static ServiceFactory<TProgram> WithSettings(IDictionary<string, string?> overrides) => new(overrides);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
