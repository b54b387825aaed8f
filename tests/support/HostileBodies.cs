using System.Text;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// Random request bodies that are invalid by construction: garbage that is not JSON, JSON of the
/// wrong shape, and objects where at least one field carries a value no endpoint may accept
/// (wrong type, zero, negative, overflow, too long), mixed with SQL and script injection strings,
/// unknown fields and valid values elsewhere. Seeded, so a failure can be replayed.
/// </summary>
public sealed class HostileBodies(int seed)
{
    private static readonly string[] Injections =
    [
        "'; DROP TABLE claims; --", "\" OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x}", "../../etc/passwd",
        "红包 🧧", "\u0000", "%00", "{{7*7}}", "Robert'); DELETE FROM users;--",
    ];

    private static readonly string[] BadValues =
    [
        "0", "-1", "-9223372036854775808", "9223372036854775808", "99999999999999999999999", "1.5", "1e400", "-0.0001",
        "null", "true", "\"ten\"", "\"\"", "[]", "{}", "[1,2]", "{\"$ne\":null}", "\"1; DROP TABLE claims\"", "NaN",
    ];

    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>A body for an endpoint whose fields are <paramref name="valid"/> (name -> a valid JSON value).</summary>
    /// <param name="valid">Every field the endpoint reads, with a valid value (JSON text).</param>
    /// <param name="alwaysBad">Fields that never get a valid value.</param>
    /// <param name="lenient">Fields that accept 0, null or absence (optional ones): never the one forced bad.</param>
    public string Next(IReadOnlyDictionary<string, string> valid, IReadOnlyCollection<string> alwaysBad, IReadOnlyCollection<string> lenient)
    {
        return _random.Next(6) switch
        {
            0 => Garbage(),
            _ => BrokenObject(valid, alwaysBad, lenient),
        };
    }

    private string BrokenObject(IReadOnlyDictionary<string, string> valid, IReadOnlyCollection<string> alwaysBad, IReadOnlyCollection<string> lenient)
    {
        // At least one strict field gets a value no endpoint may accept; fields in alwaysBad never get a valid one.
        var names = valid.Keys.ToList();
        var strict = names.Where(n => !lenient.Contains(n)).ToList();
        var bad = strict[_random.Next(strict.Count)];
        var parts = new List<string>();
        foreach (var name in names)
        {
            var value = name == bad || alwaysBad.Contains(name)
                ? ForcedBadValue(valid[name])
                : _random.Next(3) == 0 ? NoiseValue() : valid[name];
            if (_random.Next(8) != 0 || name == bad)
            {
                parts.Add($"\"{Flip(name)}\":{value}");
            }
        }
        if (_random.Next(3) == 0)
        {
            parts.Add($"\"{Injection()}\":\"{Escape(Injection())}\"");
        }
        Shuffle(parts);
        return "{" + string.Join(',', parts) + "}";
    }

    // A value of the wrong kind for the field: a string field gets "", a non-string or an over-long
    // string; a number field gets zero, negative, overflow, a fraction or another type.
    private string ForcedBadValue(string validValue) => validValue.StartsWith('"')
        ? _random.Next(5) switch
        {
            0 => "\"\"",
            1 => "\"" + new string('x', _random.Next(300, 5000)) + "\"",
            2 => "123",
            3 => "[\"" + Escape(Injection()) + "\"]",
            _ => "null",
        }
        : _random.Next(5) == 0 ? "\"" + Escape(Injection()) + "\"" : BadValues[_random.Next(BadValues.Length)];

    // Anything at all, valid or not, for the fields that are not the broken one.
    private string NoiseValue() => _random.Next(3) == 0
        ? "\"" + Escape(Injection()) + "\""
        : BadValues[_random.Next(BadValues.Length)];

    // Property names are matched case-insensitively by ASP.NET Core; keep the name valid most of the time.
    private string Flip(string name) => _random.Next(10) == 0 ? name.ToUpperInvariant() : name;

    private string Garbage() => _random.Next(9) switch
    {
        0 => "",
        1 => "{",
        2 => "[]",
        3 => "null",
        4 => new string('[', 2000) + new string(']', 2000),
        5 => "{\"a\":" + new string('1', 80_000) + "}",
        6 => Encoding.Latin1.GetString(Enumerable.Range(0, 64).Select(_ => (byte)_random.Next(256)).ToArray()),
        7 => "\"" + Escape(Injection()) + "\"",
        _ => "{\"campaignId\":" + BadValues[_random.Next(BadValues.Length)],
    };

    private string Injection() => Injections[_random.Next(Injections.Length)];

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\u0000", "\\u0000", StringComparison.Ordinal);

    private void Shuffle(List<string> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
