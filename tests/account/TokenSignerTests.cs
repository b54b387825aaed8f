using ElasticRedPacket.ServiceDefaults.Auth;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.Account.Tests;

/// <summary>The token format on its own (no server): what account issues and what redpacket checks when degraded.</summary>
public sealed class TokenSignerTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static TokenSigner Signer(TimeProvider time, string? key = null) =>
        new(Options.Create(new AuthOptions { TokenKey = key ?? Key, OperatorKey = "operator-key-0123456789" }), time);

    [Fact]
    public void TryValidate_IssuedToken_ReturnsUserUntilExpiry()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
        var signer = Signer(time);
        var token = signer.Issue(42, time.Now.AddSeconds(60));

        Assert.True(signer.TryValidate(token, out var userId));
        Assert.Equal(42, userId);
        time.Now = time.Now.AddSeconds(60);
        Assert.False(signer.TryValidate(token, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("42")]
    [InlineData("42.1")]
    [InlineData("x.9999999999.AAAA")]
    [InlineData("-1.9999999999.AAAA")]
    [InlineData("42.9999999999.!!!!")]
    public void TryValidate_Malformed_False(string token) => Assert.False(Signer(TimeProvider.System).TryValidate(token, out _));

    [Fact]
    public void TryValidate_ChangedUserExpiryOrOtherKey_False()
    {
        var signer = Signer(TimeProvider.System);
        var token = signer.Issue(42, DateTimeOffset.UtcNow.AddHours(1));
        var parts = token.Split('.');

        Assert.False(signer.TryValidate($"43.{parts[1]}.{parts[2]}", out _));
        Assert.False(signer.TryValidate($"42.{long.Parse(parts[1]) + 1}.{parts[2]}", out _));
        Assert.False(Signer(TimeProvider.System, Convert.ToBase64String(new byte[32])).TryValidate(token, out _));
        Assert.False(signer.TryValidate(token + "A", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64")]
    [InlineData("AAAA")]
    public void TryDecodeKey_ShortOrInvalid_False(string key) => Assert.False(TokenSigner.TryDecodeKey(key, out _));

    [Fact]
    public void FromAuthorizationHeader_BearerOrOther_TokenOrEmpty()
    {
        Assert.Equal("abc", TokenSigner.FromAuthorizationHeader("Bearer abc").ToString());
        Assert.Equal("abc", TokenSigner.FromAuthorizationHeader("bearer  abc ").ToString());
        Assert.True(TokenSigner.FromAuthorizationHeader("Basic abc").IsEmpty);
        Assert.True(TokenSigner.FromAuthorizationHeader(null).IsEmpty);
    }

    [Fact]
    public void Issue_SignatureIsHmacSha256OfThePayload()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
        var signer = Signer(time);
        for (var user = 1; user <= 3; user++)
        {
            var token = signer.Issue(user, time.Now.AddSeconds(60));
            var payload = token[..token.LastIndexOf('.')];
            var expected = System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(Key), System.Text.Encoding.ASCII.GetBytes(payload));
            Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(expected), token[(token.LastIndexOf('.') + 1)..]);
        }
    }

    [Fact]
    public void TryValidate_ManyThreadsMixingGoodAndForgedTokens_AnswersEachRight()
    {
        // The signer reuses one HMAC context per thread: a forged token must not leave state behind for the next check.
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
        var signer = Signer(time);
        var other = Signer(time, Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray()));
        var good = Enumerable.Range(1, 64).Select(u => signer.Issue(u, time.Now.AddSeconds(60))).ToArray();
        var forged = Enumerable.Range(1, 64).Select(u => other.Issue(u, time.Now.AddSeconds(60))).ToArray();
        var wrong = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var user = i % 64;
            var ok = i % 3 == 0
                ? !signer.TryValidate(forged[user], out _)
                : signer.TryValidate(good[user], out var id) && id == user + 1;
            if (!ok)
            {
                Interlocked.Increment(ref wrong);
            }
        });
        Assert.Equal(0, wrong);
    }
}
