using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;

namespace Ziggy.Secrets.Web.Integrations;

public sealed record OutboundRequest(string Method, Uri Url, IReadOnlyList<(string Name, string Value)> Headers, string Body);

/// <summary>What came back. Not yet redacted: the caller redacts before showing or storing anything.</summary>
public sealed record OutboundResponse(int? StatusCode, string Headers, string Body, bool Truncated, string? Error, long DurationMs);

/// <summary>
/// Sends integration requests: every connection goes through <see cref="OutboundAddressPolicy"/>, redirects are followed
/// by hand (each hop vetted the same way, and template headers are not carried to another origin), the whole exchange
/// has a time limit, and at most <see cref="IntegrationOptions.MaxResponseBytes"/> of the body are read.
/// </summary>
public sealed class IntegrationHttpClient : IDisposable
{
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
        HttpRequestMessage? request = null;
        try
        {
            request = Build(outbound.Method, outbound.Url, outbound.Headers, outbound.Body);
            for (var hop = 0; ; hop++)
            {
                var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (!IsRedirect(response.StatusCode) || response.Headers.Location is null || hop >= _options.MaxRedirects)
                {
                    using (response)
                    {
                        var (body, truncated) = await ReadBodyAsync(response, timeout.Token);
                        return new OutboundResponse((int)response.StatusCode, FormatHeaders(response), body, truncated,
                            truncated ? $"The response body is larger than {_options.MaxResponseBytes / 1024 / 1024} MiB: only the first {_options.MaxResponseBytes / 1024 / 1024} MiB were read." : null,
                            stopwatch.ElapsedMilliseconds);
                    }
                }

                var next = new Uri(request.RequestUri!, response.Headers.Location);
                response.Dispose();
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    return Failed($"The server redirected to {next.Scheme}:, which integrations do not follow.", stopwatch);

                var sameOrigin = Uri.Compare(next, request.RequestUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
                var keepsBody = response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
                request.Dispose();
                request = Build(keepsBody ? outbound.Method : "GET", next, sameOrigin ? outbound.Headers : [], keepsBody ? outbound.Body : "");
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failed($"The request timed out after {_options.TimeoutSeconds} seconds.", stopwatch);
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refusal)
        {
            return Failed($"Refused to connect: {refusal}", stopwatch);
        }
        catch (HttpRequestException e)
        {
            return Failed($"The request failed: {e.Message}", stopwatch);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            return Failed($"The request could not be built: {e.Message}", stopwatch);
        }
        finally
        {
            request?.Dispose();
        }
    }

    private static OutboundResponse Failed(string error, Stopwatch stopwatch) => new(null, "", "", false, error, stopwatch.ElapsedMilliseconds);

    private static string? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is OutboundAddressRefusedException) return e.Message;
        return null;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

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

        return request;
    }

    private async Task<(string Body, bool Truncated)> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[_options.MaxResponseBytes + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0) break;
            read += n;
        }

        var truncated = read > _options.MaxResponseBytes;
        return (Encoding.UTF8.GetString(buffer, 0, Math.Min(read, _options.MaxResponseBytes)), truncated);
    }

    private static string FormatHeaders(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));

    public void Dispose() => _client.Dispose();
}
