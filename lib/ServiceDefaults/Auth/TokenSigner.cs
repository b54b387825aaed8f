using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ElasticRedPacket.ServiceDefaults.Auth;

/// <summary>
/// Bearer tokens "{userId}.{expiresUnixSeconds}.{base64url HMAC-SHA256 of the first two parts}".
/// account issues them; account and (when degraded) redpacket check them without any I/O.
/// </summary>
public sealed class TokenSigner : IDisposable
{
    private const int SignatureLength = 32;
    private const int MaxTokenLength = 128;
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    // One keyed HMAC per thread, reset after each use: the one-shot HMACSHA256.HashData sets up a new
    // OpenSSL context (algorithm lookup, key schedule) per call, ~2.5x the cost on account's verify path.
    private readonly ThreadLocal<IncrementalHash> _hmac;

    public TokenSigner(IOptions<AuthOptions> options, TimeProvider time)
    {
        if (!TryDecodeKey(options.Value.TokenKey, out var key))
        {
            throw new InvalidConfigurationException("Auth:TokenKey", "must be base64 of at least 32 bytes");
        }
        _key = key;
        _time = time;
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key), trackAllValues: true);
    }

    public static bool TryDecodeKey(string? base64, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return false;
        }
        return key.Length >= 32;
    }

    public string Issue(long userId, DateTimeOffset expiresAt)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"{userId}.{expiresAt.ToUnixTimeSeconds()}");
        Span<byte> signature = stackalloc byte[SignatureLength];
        Sign(Encoding.ASCII.GetBytes(payload), signature);
        return payload + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>True when the signature matches and the token has not expired.</summary>
    public bool TryValidate(ReadOnlySpan<char> token, out long userId)
    {
        userId = 0;
        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return false;
        }
        var lastDot = token.LastIndexOf('.');
        if (lastDot <= 0)
        {
            return false;
        }
        var payload = token[..lastDot];
        var firstDot = payload.IndexOf('.');
        if (firstDot <= 0
            || !long.TryParse(payload[..firstDot], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(payload[(firstDot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || id <= 0)
        {
            return false;
        }

        // TryDecodeFromChars throws on characters outside the alphabet; a forged token must be a plain "no".
        var encoded = token[(lastDot + 1)..];
        Span<byte> given = stackalloc byte[SignatureLength + 3];
        if (!Base64Url.IsValid(encoded, out var length) || length != SignatureLength
            || !Base64Url.TryDecodeFromChars(encoded, given, out var written) || written != SignatureLength)
        {
            return false;
        }
        Span<byte> payloadBytes = stackalloc byte[payload.Length];
        for (var i = 0; i < payload.Length; i++)
        {
            payloadBytes[i] = (byte)payload[i];
        }
        Span<byte> expected = stackalloc byte[SignatureLength];
        Sign(payloadBytes, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, given[..SignatureLength]))
        {
            return false;
        }
        if (expires <= _time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }
        userId = id;
        return true;
    }

    public void Dispose()
    {
        foreach (var hmac in _hmac.Values)
        {
            hmac.Dispose();
        }
        _hmac.Dispose();
    }

    private void Sign(ReadOnlySpan<byte> payload, Span<byte> signature)
    {
        var hmac = _hmac.Value!;
        hmac.AppendData(payload);
        hmac.GetHashAndReset(signature);
    }

    /// <summary>The token of an "Authorization: Bearer ..." header value, or empty.</summary>
    public static ReadOnlySpan<char> FromAuthorizationHeader(string? header)
    {
        const string Scheme = "Bearer ";
        return header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? header.AsSpan(Scheme.Length).Trim()
            : [];
    }
}
