using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Load;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class OptionParserTests
{
    [Fact]
    public void Parse_FullCommandLine_SetsEveryValue()
    {
        var options = OptionParser.Parse(["grab-peak", "--stack-env", "x.env", "--rate", "10000", "--duration", "60s", "--warmup=5s", "--slo", "p99<50ms", "--slo", "error_rate<0.1%", "--users", "64"]);
        Assert.Equal("grab-peak", options.Scenario);
        Assert.Equal("x.env", options.StackEnv);
        Assert.Equal(10000, options.Rate);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Warmup);
        Assert.Equal(["p99<50ms", "error_rate<0.1%"], options.Slo);
        Assert.Equal(64, options.VirtualUsers);
    }

    [Theory]
    [InlineData("--rate", "10")]                 // no scenario
    [InlineData("nosuch")]                       // unknown scenario
    [InlineData("trivial", "--rate", "-5")]
    [InlineData("trivial", "--duration", "soon")]
    [InlineData("trivial", "--bogus", "1")]
    [InlineData("trivial", "--rate")]            // missing value
    [InlineData("trivial", "--packets", "5", "--batches", "6")]
    [InlineData("grab-peak", "--interval", "1500ms")]
    [InlineData("grab-peak", "--packets", "100", "--total-cents", "99")]
    [InlineData("grab-peak", "--rabbitmq-management", "amqp://u:pw@h/")]
    [InlineData("grab-peak", "--audit-settle", "soon")]
    public void Parse_Mistake_ThrowsUsageException(params string[] args)
    {
        Assert.Throws<UsageException>(() => OptionParser.Parse(args));
    }

    [Theory]
    [InlineData("250us", 0.25)]
    [InlineData("50ms", 50)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("3", 3000)]
    public void Durations_TryParse_ReadsUnits(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds, 6);
    }

    [Fact]
    public void PhaseSpec_Parse_BuildsEachSimulation()
    {
        var phases = PhaseSpec.Parse("warmup:inject:1000:3s, inject:2000:10s, ramp:2000:10000:1s, users:64:5s, pause:2s");
        Assert.Equal(5, phases.Count);
        Assert.True(phases[0].IsWarmUp);
        Assert.Equal(new Inject(2000, TimeSpan.FromSeconds(10)), phases[1]);
        Assert.Equal(new RampingInject(2000, 10000, TimeSpan.FromSeconds(1)), phases[2]);
        Assert.Equal(new KeepConstant(64, TimeSpan.FromSeconds(5)), phases[3]);
        Assert.Equal(new Pause(TimeSpan.FromSeconds(2)), phases[4]);
        Assert.Equal(TimeSpan.FromSeconds(18), PhaseSpec.Measured(phases));
    }

    [Theory]
    [InlineData("inject:100")]
    [InlineData("warmup:inject:100:1s")]
    [InlineData("jump:1:2s")]
    [InlineData("ramp:100:x:1s")]
    public void PhaseSpec_Parse_Mistake_ThrowsUsageException(string spec)
    {
        Assert.Throws<UsageException>(() => PhaseSpec.Parse(spec));
    }

    [Fact]
    public void HolidaySpike_DefaultPhases_StepFiveTimesWithinOneSecond()
    {
        var options = OptionParser.Parse(["holiday-spike", "--rate", "10000", "--duration", "20s"]);
        var phases = Scenarios.Scenario.Create("holiday-spike").Phases(options);
        var ramp = Assert.Single(phases.OfType<RampingInject>());
        Assert.Equal(2000, ramp.From);
        Assert.Equal(10000, ramp.To);
        Assert.Equal(TimeSpan.FromSeconds(1), ramp.During);
        Assert.Equal(new Inject(10000, TimeSpan.FromSeconds(20)), phases[^1]);
    }

    [Fact]
    public void Parse_CredentialsOnTheCommandLine_AreMaskedInTheRecordedCommandLine()
    {
        var options = OptionParser.Parse(["grab-peak", "--operator-key", "s3cret", "--postgres=Host=x;Password=pw", "--rabbitmq", "amqp://u:pw@h/",
            "--rabbitmq-management", "http://u:pw@h:15672/", "--slo", "p99 < 50ms"]);
        Assert.Equal("grab-peak --operator-key *** --postgres=*** --rabbitmq *** --rabbitmq-management *** --slo \"p99 < 50ms\"", options.CommandLine);
        Assert.Equal("s3cret", options.OperatorKey);
        Assert.Equal("http://u:pw@h:15672/", options.RabbitManagement);
    }
}
