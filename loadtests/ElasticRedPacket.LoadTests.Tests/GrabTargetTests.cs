using System.Text;
using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class GrabTargetTests
{
    [Theory]
    [InlineData("""{"outcome":"won","amountCents":123}""", 0, 123)]
    [InlineData("""{"amountCents":7,"outcome":"won"}""", 0, 7)]
    [InlineData("""{"outcome":"sold_out"}""", 2, 0)]
    [InlineData("""{"outcome":"try_again","nextReleaseAt":"2026-01-01T00:00:00Z"}""", 4, 0)]
    [InlineData("""{"outcome":"shed"}""", 7, 0)]
    [InlineData("""{"detail":{"outcome":"won"}}""", -1, 0)]   // nested: not the answer's outcome
    [InlineData("""{"outcome":"jackpot"}""", -1, 0)]
    [InlineData("""<html>502 Bad Gateway</html>""", -1, 0)]
    [InlineData("", -1, 0)]
    public void Classify_Body_FindsTopLevelOutcomeAndAmount(string body, int outcome, long amount)
    {
        Assert.Equal(outcome, GrabTarget.Classify(Encoding.UTF8.GetBytes(body), out var cents));
        Assert.Equal(amount, cents);
    }

    [Fact]
    public void GrabBody_IsTheContractsJson()
    {
        Assert.Equal("""{"campaignId":42}""", Encoding.UTF8.GetString(ErpApi.GrabBody(42)));
    }
}
