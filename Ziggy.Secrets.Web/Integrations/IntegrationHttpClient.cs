using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Options;

namespace Ziggy.Secrets.Web.Integrations;

public sealed record OutboundRequest(string Method, Uri Url, IReadOnlyList<(string Name, string Value)> Headers, string Body);

/// <summary>What came back. Not yet redacted: the caller redacts before showing or storing anything.</summary>
public sealed record OutboundResponse(int? StatusCode, string Headers, string Body, bool Truncated, string? Error, long DurationMs)
{
    /// <summary>
    /// For the audit trail only, never for the runner: what <see cref="Error"/> leaves out, such as the address a host
    /// name resolved to and why it was refused, or the network error as the runtime worded it. Null when there is nothing.
    /// </summary>
    public string? AuditDetail { get; init; }
}

/// <summary>
/// Sends integration requests: every connection goes through <see cref="OutboundAddressPolicy"/>, redirects are followed
/// by hand and only within the origin (each hop vetted the same way), nothing but the template's headers and what HTTP
/// needs goes on the wire, the whole exchange has a time limit, and at most
/// <see cref="IntegrationOptions.MaxResponseBytes"/> of the body are read.
/// </summary>
public sealed class IntegrationHttpClient : IDisposable
{
    public const string LeftOriginMessage = "The server redirected to another origin; integrations do not follow redirects that leave the origin.";

    public const string NotResolvedMessage = "The host name could not be resolved.";

    /// <summary>Sent unless the template names its own User-Agent.</summary>
    internal static readonly string UserAgent = "Ziggy-Secrets/" + ProductVersion();

    // Headers that describe a body: dropped with the body when a redirect turns the request into a GET.
    private static readonly string[] BodyHeaders = ["Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location"];

    private readonly HttpClient _client;
    private readonly IntegrationOptions _options;

    public IntegrationHttpClient(IOptions<IntegrationOptions> options)
    {
        _options = options.Value;
        var handler = new OutboundAddressPolicy(_options.AllowPrivateNetworks).CreateHandler();
        // Secrets are not always ASCII: send and read header values as UTF-8 rather than refusing them.
        handler.RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8;
        handler.ResponseHeaderEncodingSelector = (_, _) => Encoding.UTF8;
        _client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<OutboundResponse> SendAsync(OutboundRequest outbound)
    {
        var stopwatch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        var (method, url, headers, body) = (outbound.Method, outbound.Url, outbound.Headers, outbound.Body);
        try
        {
            for (var followed = 0; ; followed++)
            {
                using var request = Build(method, url, headers, body);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                string? stopped = null, auditDetail = null;
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    // The template's headers and body hold secret values meant for this origin only, and a redirect
                    // elsewhere is the server's choice, not the template author's: the run ends here.
                    if (!Uri.TryCreate(url, location, out var next) || !SameOrigin(url, next))
                    {
                        stopped = LeftOriginMessage;
                        auditDetail = $"Redirect from {url.GetLeftPart(UriPartial.Authority)} to " +
                            (next is { IsAbsoluteUri: true } && next.Scheme is "http" or "https" ? next.GetLeftPart(UriPartial.Authority) : "a non-HTTP address") + " not followed.";
                    }
                    else if (followed >= _options.MaxRedirects)
                    {
                        stopped = $"The server redirected more than {_options.MaxRedirects} times; integrations follow at most {_options.MaxRedirects} redirects.";
                    }
                    else
                    {
                        if (TurnsIntoGet(response.StatusCode, method))
                        {
                            method = "GET";
                            body = "";
                            headers = headers.Where(h => !BodyHeaders.Contains(h.Name, StringComparer.OrdinalIgnoreCase)).ToList();
                        }

                        url = next;
                        continue;
                    }
                }

                var (text, truncated) = await ReadBodyAsync(response, timeout.Token);
                var tooLarge = truncated
                    ? $"The response body is larger than {_options.MaxResponseBytes / 1024 / 1024} MiB: only the first {_options.MaxResponseBytes / 1024 / 1024} MiB were read."
                    : null;
                return new OutboundResponse((int)response.StatusCode, FormatHeaders(response), text, truncated,
                    stopped is null ? tooLarge : tooLarge is null ? stopped : $"{stopped} {tooLarge}", stopwatch.ElapsedMilliseconds)
                {
                    AuditDetail = auditDetail,
                };
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failed($"The request timed out after {_options.TimeoutSeconds} seconds.", null, stopwatch);
        }
        catch (Exception e) when (Chain(e).OfType<OutboundAddressRefusedException>().FirstOrDefault() is { } refused)
        {
            return Failed(OutboundAddressPolicy.NotPublicMessage, refused.Detail, stopwatch);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return Failed(Describe(e), Raw(e), stopwatch);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            return Failed($"The request could not be built: {e.Message}", null, stopwatch);
        }
    }

    private static OutboundResponse Failed(string error, string? auditDetail, Stopwatch stopwatch) =>
        new(null, "", "", false, error, stopwatch.ElapsedMilliseconds) { AuditDetail = auditDetail };

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    /// <summary>
    /// What went wrong, in words of our own: the runtime's messages may name the address a host name resolved to, which
    /// would tell the runner what the refusals keep from them.
    /// </summary>
    private static string Describe(Exception e)
    {
        var socket = Chain(e).OfType<SocketException>().FirstOrDefault();
        var error = Chain(e).Select(x => x switch { HttpRequestException h => h.HttpRequestError, HttpIOException h => h.HttpRequestError, _ => HttpRequestError.Unknown })
            .FirstOrDefault(x => x != HttpRequestError.Unknown);
        if (error == HttpRequestError.NameResolutionError || socket?.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
            return NotResolvedMessage;

        var what = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "the connection was refused.",
            SocketError.TimedOut => "the connection timed out.",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostDown => "the destination could not be reached.",
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => "the connection was closed by the other side.",
            _ => error switch
            {
                HttpRequestError.SecureConnectionError => "a secure (TLS) connection could not be established.",
                HttpRequestError.ResponseEnded => "the server closed the connection before the response was complete.",
                HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "the server's answer is not valid HTTP.",
                HttpRequestError.ConfigurationLimitExceeded => "the response exceeds a size limit (its headers are too large).",
                HttpRequestError.VersionNegotiationError => "no HTTP version could be agreed with the server.",
                _ when socket is not null => "the connection could not be made.",
                _ => null,
            },
        };
        return what is null ? "The request failed." : $"The request failed: {what}";
    }

    private static string Raw(Exception e) => string.Join(" <- ", Chain(e).Select(x => $"{x.GetType().Name}: {x.Message}"));

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>As browsers do: 303 makes anything but GET and HEAD a GET, 301 and 302 make a POST a GET; 307 and 308 keep both.</summary>
    private static bool TurnsIntoGet(HttpStatusCode status, string method) => status switch
    {
        HttpStatusCode.SeeOther => !method.Equals("GET", StringComparison.OrdinalIgnoreCase) && !method.Equals("HEAD", StringComparison.OrdinalIgnoreCase),
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found => method.Equals("POST", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static bool SameOrigin(Uri a, Uri b) =>
        b.IsAbsoluteUri && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static HttpRequestMessage Build(string method, Uri url, IReadOnlyList<(string Name, string Value)> headers, string body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body.Length > 0 && method is not ("GET" or "HEAD")) request.Content = new StringContent(body, Encoding.UTF8);
        foreach (var (name, value) in headers)
        {
            if (value.Contains('\r') || value.Contains('\n'))
                throw new FormatException($"The header {name} contains a line break after substitution.");
            if (request.Headers.TryAddWithoutValidation(name, value)) continue;
            request.Content ??= new ByteArrayContent([]);
            request.Content.Headers.Remove(name);
            if (!request.Content.Headers.TryAddWithoutValidation(name, value)) throw new FormatException($"The header {name} cannot be sent.");
        }

        if (!request.Headers.Contains("User-Agent")) request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        return request;
    }

    /// <summary>Reads up to <see cref="IntegrationOptions.MaxResponseBytes"/> (one byte more tells it was cut), growing with the answer.</summary>
    private async Task<(string Body, bool Truncated)> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var limit = _options.MaxResponseBytes + 1;
        var announced = response.Content.Headers.ContentLength is >= 0 and < int.MaxValue and var length ? length + 1 : 16 * 1024;
        using var body = new MemoryStream(capacity: (int)Math.Min(limit, announced));
        var chunk = new byte[Math.Min(limit, 16 * 1024)];
        while (body.Length < limit)
        {
            var n = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - body.Length)), cancellationToken);
            if (n == 0) break;
            body.Write(chunk, 0, n);
        }

        var truncated = body.Length > _options.MaxResponseBytes;
        return (Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)Math.Min(body.Length, _options.MaxResponseBytes)), truncated);
    }

    private static string FormatHeaders(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));

    /// <summary>
    /// The application's version without build metadata (the "+commit" suffix names a build, which a third party has no
    /// need to know), or the assembly version when that is not a valid product token.
    /// </summary>
    private static string ProductVersion()
    {
        var assembly = typeof(IntegrationHttpClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        return informational is { Length: > 0 } && ProductInfoHeaderValue.TryParse($"Ziggy-Secrets/{informational}", out _)
            ? informational
            : assembly.GetName().Version?.ToString() ?? "0";
    }

    public void Dispose() => _client.Dispose();
}
