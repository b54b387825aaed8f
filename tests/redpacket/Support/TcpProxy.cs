using System.Net;
using System.Net.Sockets;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// A TCP forwarder in front of a real server that the test can cut: while down it accepts and resets
/// every connection (what a crashed upstream looks like); Connections counts accepted connections.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _up;
    private int _connections;

    public TcpProxy(int targetPort, bool up)
    {
        _targetPort = targetPort;
        _up = up;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int Connections => Volatile.Read(ref _connections);

    public void SetUp(bool up)
    {
        _up = up;
        if (!up)
        {
            lock (_open)
            {
                foreach (var client in _open)
                {
                    client.Client?.Close(0);
                }
                _open.Clear();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            if (!_up)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(client);
            }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        try
        {
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception)
        {
            // a cut connection ends here
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(client);
            }
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        SetUp(false);
        await _accepting;
        _stop.Dispose();
    }
}
