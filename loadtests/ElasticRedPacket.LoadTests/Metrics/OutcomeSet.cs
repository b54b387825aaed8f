namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>
/// The outcome names a scenario classifies its answers into. Two are always appended:
/// http_error (an unexpected status or an unreadable body) and transport_error (no answer: refused,
/// reset, timed out). Indexes are used on the hot path instead of names.
/// </summary>
public sealed class OutcomeSet
{
    public const string HttpErrorName = "http_error";
    public const string TransportErrorName = "transport_error";

    private readonly string[] _names;

    public OutcomeSet(IEnumerable<string> names)
    {
        _names = [.. names, HttpErrorName, TransportErrorName];
        if (_names.Distinct(StringComparer.Ordinal).Count() != _names.Length)
        {
            throw new ArgumentException("outcome names must be distinct", nameof(names));
        }
        HttpError = _names.Length - 2;
        TransportError = _names.Length - 1;
    }

    public IReadOnlyList<string> Names => _names;

    public int Count => _names.Length;

    public int HttpError { get; }

    public int TransportError { get; }

    public int IndexOf(string name) => Array.IndexOf(_names, name);

    public string this[int index] => _names[index];
}
