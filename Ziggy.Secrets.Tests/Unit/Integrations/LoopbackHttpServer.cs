using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

/// <summary>A request as it came off the wire: header names, order and repeats kept.</summary>
public sealed record WireRequest(string Method, string Target, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    public string? Header(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// A raw HTTP/1.1 listener on 127.0.0.1 that records every request byte for byte and answers from a script (a null
/// answer holds the connection open until disposal). Kestrel would normalise what it received; these tests are about
/// exactly what was sent. One connection at a time, each closed after its answer.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<WireRequest, string?> _answer;
    private readonly Task _loop;

    public LoopbackHttpServer(Func<WireRequest, string?> answer)
    {
        _answer = answer;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(LoopAsync);
    }

    public ConcurrentQueue<WireRequest> Received { get; } = new();

    public int Port { get; }

    public string Origin => $"http://127.0.0.1:{Port}";

    /// <summary>A complete response that closes the connection.</summary>
    public static string Answer(int status, string body = "", params string[] headers) =>
        $"HTTP/1.1 {status} Scripted\r\n{string.Concat(headers.Select(h => h + "\r\n"))}" +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    await ServeAsync(client.GetStream());
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task ServeAsync(NetworkStream stream)
    {
        var data = new List<byte>();
        var chunk = new byte[16 * 1024];
        int end;
        while ((end = IndexOfBlankLine(data)) < 0)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0) return;
            data.AddRange(chunk.AsSpan(0, read));
        }

        var lines = Encoding.UTF8.GetString(data.GetRange(0, end).ToArray()).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var length = int.Parse(headers.Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault() ?? "0");
        var body = data.Skip(end + 4).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0) break;
            body.AddRange(chunk.AsSpan(0, read));
        }

        var request = new WireRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body.ToArray()));
        Received.Enqueue(request);
        var answer = _answer(request);
        if (answer is null) await Task.Delay(Timeout.Infinite, _stop.Token);
        else await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
    }

    private static int IndexOfBlankLine(List<byte> data)
    {
        for (var i = 0; i + 3 < data.Count; i++)
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') return i;
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
