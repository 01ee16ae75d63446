using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ziggy.Secrets.Web.Client;

/// <summary>What the API answered: the values by name, or why not.</summary>
public sealed record SecretsAnswer(IReadOnlyDictionary<string, string>? Values, ClientFailure? Failure);

/// <summary>
/// The machine API's client (<c>GET /api/v1/secrets</c> and <c>/api/v1/secrets/{name}</c> with a bearer token). Every
/// failure becomes one exit code and one line; no message carries the token or a value.
/// </summary>
public sealed partial class ZiggyApiClient(Uri server, string token, TimeSpan timeout) : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // A redirect would carry the request elsewhere; the API never answers with one, so one is reported instead.
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = timeout,
    })
    {
        Timeout = timeout,
    };

    public Task<SecretsAnswer> GetAllAsync(CancellationToken cancellationToken = default) => SendAsync("api/v1/secrets", cancellationToken);

    public Task<SecretsAnswer> GetOneAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync("api/v1/secrets/" + Uri.EscapeDataString(name), cancellationToken);

    /// <summary>The time limit from --timeout or ZIGGY_TIMEOUT (seconds), else <see cref="DefaultTimeout"/>.</summary>
    public static (TimeSpan Timeout, ClientFailure? Failure) ParseTimeout(string? option, Func<string, string?> environment)
    {
        var text = option ?? environment("ZIGGY_TIMEOUT");
        if (string.IsNullOrWhiteSpace(text)) return (DefaultTimeout, null);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds is > 0 and <= 3600))
            return (default, new ClientFailure(ExitCodes.Usage, $"{(option is null ? "ZIGGY_TIMEOUT" : "--timeout")} '{text}' is not a number of seconds between 0 and 3600."));
        return (TimeSpan.FromSeconds(seconds), null);
    }

    private async Task<SecretsAnswer> SendAsync(string path, CancellationToken cancellationToken)
    {
        var address = new Uri(server, path);
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ziggy-secrets", Version));
        var where = server.GetLeftPart(UriPartial.Authority);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.IsSuccessStatusCode ? Values(response, body) : Failed(response, body);
        }
        catch (HttpRequestException e)
        {
            return Fail(e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => new ClientFailure(ExitCodes.Unreachable, $"Cannot reach {where}: the host name could not be resolved."),
                HttpRequestError.ConnectionError => new ClientFailure(ExitCodes.Unreachable, $"Cannot reach {where}: {Reason(e)}"),
                HttpRequestError.SecureConnectionError => new ClientFailure(ExitCodes.TlsFailure,
                    $"TLS failure with {where}: {TlsReason(e)} Nothing was sent."),
                _ => new ClientFailure(ExitCodes.ServerError, $"The connection to {where} failed: {Reason(e)}"),
            });
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(new ClientFailure(ExitCodes.Unreachable, $"{where} did not answer within {timeout.TotalSeconds:0.#} s (--timeout or ZIGGY_TIMEOUT sets the limit)."));
        }
    }

    private static SecretsAnswer Fail(ClientFailure failure) => new(null, failure);

    private SecretsAnswer Values(HttpResponseMessage response, byte[] body)
    {
        var malformed = Fail(new ClientFailure(ExitCodes.ServerError,
            $"The server answered {(int)response.StatusCode} without the JSON object of secrets that was expected: is {server} a Ziggy server?"));
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "application/json") return malformed;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return malformed;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || !values.TryAdd(property.Name, property.Value.GetString()!)) return malformed;
            }

            return new SecretsAnswer(values, null);
        }
        catch (JsonException)
        {
            return malformed;
        }
    }

    /// <summary>An error answer: the problem document's title and detail where the server gave one, else its status.</summary>
    private SecretsAnswer Failed(HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var problem = Problem.Read(response, body);
        var exitCode = status switch
        {
            401 => ExitCodes.TokenRefused,
            403 => ExitCodes.NotAllowed,
            // A 404 without the API's code is a server (or a proxy) without the API, not a missing secret.
            404 when problem?.Code is not null => ExitCodes.NotFound,
            _ => ExitCodes.ServerError,
        };

        var message = problem?.Text() ?? $"The server answered {status} {response.ReasonPhrase}.";
        if (status == 404 && problem?.Code is null) message = $"The server answered 404: is {server} a Ziggy server with the machine API?";
        if (status == 429)
        {
            var retry = response.Headers.RetryAfter?.Delta;
            message = message.TrimEnd('.') + "." + (retry is { } wait ? $" Try again in {wait.TotalSeconds:0} s." : "");
        }

        return Fail(new ClientFailure(exitCode, message));
    }

    private static string Reason(HttpRequestException e)
    {
        Exception inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return OneLine(inner.Message);
    }

    private static string TlsReason(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException authentication) return OneLine(authentication.Message);
        }

        return Reason(e);
    }

    /// <summary>Text from elsewhere on one line, shortened, with anything shaped like a token taken out.</summary>
    internal static string OneLine(string text)
    {
        var line = WhiteSpace().Replace(TokenLike().Replace(text, ClientToken.Prefix + "…"), " ").Trim();
        return line.Length <= 400 ? line : line[..400] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex("zgs_[A-Za-z0-9_-]*")]
    private static partial Regex TokenLike();

    private static readonly string Version =
        typeof(ZiggyApiClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0";

    public void Dispose() => _http.Dispose();

    /// <summary>The parts of an <c>application/problem+json</c> answer the client shows and branches on.</summary>
    private sealed record Problem(string? Title, string? Detail, string? Code, string[] Secrets)
    {
        public static Problem? Read(HttpResponseMessage response, byte[] body)
        {
            if (response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json")) return null;
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                var secrets = root.TryGetProperty("secrets", out var names) && names.ValueKind == JsonValueKind.Array
                    ? names.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!).ToArray()
                    : [];
                return new Problem(Text(root, "title"), Text(root, "detail"), Text(root, "code"), secrets);
            }
            catch (JsonException)
            {
                return null;
            }

            static string? Text(JsonElement root, string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
                    ? value.GetString()
                    : null;
        }

        public string? Text()
        {
            var text = (Title, Detail) switch
            {
                (null, null) => null,
                ({ } title, null) => title,
                (null, { } detail) => detail,
                ({ } title, { } detail) when detail.Contains(title, StringComparison.OrdinalIgnoreCase) => detail,
                ({ } title, { } detail) => $"{title.TrimEnd('.')}: {detail}",
            };
            if (text is null) return null;
            var unnamed = Secrets.Where(name => !text.Contains(name, StringComparison.Ordinal)).ToArray();
            if (unnamed.Length > 0) text = $"{text.TrimEnd()} ({string.Join(", ", unnamed)})";
            return OneLine(text);
        }
    }
}
