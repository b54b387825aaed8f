namespace ElasticRedPacket.LoadTests.Client;

/// <summary>Reads a response body into a caller's (pooled) buffer; a longer body is drained and counted but not kept.</summary>
public static class ResponseBody
{
    public static async ValueTask<int> ReadAsync(HttpResponseMessage response, byte[] buffer, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return length;
            }
            length += read;
        }
        var extra = 0;
        int more;
        var scratch = new byte[4096];
        while ((more = await stream.ReadAsync(scratch, cancellationToken)) > 0)
        {
            extra += more;
        }
        return length + extra;
    }
}
