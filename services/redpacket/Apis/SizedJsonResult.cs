using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ElasticRedPacket.RedPacket.Apis;

/// <summary>
/// A JSON answer sent with its Content-Length in one write: serialized into a per-thread buffer and
/// copied into the response pipe before anything is awaited. TypedResults.Json streams through the
/// async serializer with chunked encoding, which for a ~100-byte grab answer costs more than the
/// answer (framing in Kestrel, de-chunking in nginx); docs/performance.md, session 6.
/// </summary>
public sealed class SizedJsonResult<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public T Value => value;

    object? IValueHttpResult.Value => value;

    public int StatusCode => statusCode;

    int? IStatusCodeHttpResult.StatusCode => statusCode;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, value, typeInfo);
        writer.Flush();

        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        // A synchronous copy into Kestrel's pipe: the per-thread buffer is free again before the flush is awaited.
        response.BodyWriter.Write(buffer.WrittenSpan);
        var flush = response.BodyWriter.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
