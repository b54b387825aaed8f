using ElasticRedPacket.ServiceDefaults.Caching;
using ElasticRedPacket.ServiceDefaults.Data;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>Missing or malformed settings fail at start-up with a message that names the setting.</summary>
public sealed class ConfigurationTests
{
    private static WebApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return builder;
    }

    [Fact]
    public void AddPostgres_Missing_NamesSettingAndEnvironmentVariable()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => Builder().AddPostgres());
        Assert.Contains("ConnectionStrings:Postgres", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Postgres", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPostgres_Malformed_NamesSetting()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => Builder(("ConnectionStrings:Postgres", "Host=x;Bogus Keyword=1")).AddPostgres());
        Assert.Contains("ConnectionStrings:Postgres", ex.Message, StringComparison.Ordinal);
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=x;Username=u", 32, 2)]
    [InlineData("Host=x;Username=u;Max Auto Prepare=0", 0, 5)]
    [InlineData("Host=x;Username=u;maxautoprepare=8", 8, 5)]
    public void AddPostgres_PreparesRepeatedStatementsUnlessTheConnectionStringSays(string connectionString, int maxAutoPrepare, int minUsages)
    {
        var builder = Builder(("ConnectionStrings:Postgres", connectionString));
        builder.AddPostgres(applyMigrations: false);
        using var app = builder.Build();
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().ConnectionString);
        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(minUsages, settings.AutoPrepareMinUsages);
    }

    [Fact]
    public void AddRedis_Malformed_NamesSetting()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => Builder(("ConnectionStrings:Redis", "password=only")).AddRedis());
        Assert.Contains("ConnectionStrings:Redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRabbitMq_NotAnAmqpUri_NamesSetting()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => Builder(("ConnectionStrings:RabbitMQ", "not a uri")).AddRabbitMq());
        Assert.Contains("ConnectionStrings:RabbitMQ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrainSeconds_OutOfRange_FailsAtStartNamingSetting()
    {
        var builder = Builder(("Shutdown:DrainSeconds", "0"));
        builder.AddServiceDefaults("test");
        using var app = builder.Build();
        var ex = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<ShutdownOptions>>().Value);
        Assert.Contains("Shutdown:DrainSeconds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Shutdown__DrainSeconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrainSeconds_NotANumber_FailsNamingSetting()
    {
        var builder = Builder(("Shutdown:DrainSeconds", "soon"));
        var ex = Assert.ThrowsAny<InvalidOperationException>(() => builder.AddServiceDefaults("test"));
        Assert.Contains("Shutdown:DrainSeconds", ex.Message, StringComparison.Ordinal);
    }
}
