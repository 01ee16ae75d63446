using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>A problem answer of the machine API contract, as the stub sends it.</summary>
public sealed record ApiProblem(int Status, string Code, string Title, string Detail, string[]? Secrets = null, int? RetryAfterSeconds = null);

/// <summary>
/// A stand-in for a Ziggy server's machine API on 127.0.0.1 (plain HTTP, or HTTPS with a self-signed certificate no client
/// trusts), speaking the contract: <c>GET /api/v1/secrets</c> and <c>/api/v1/secrets/{name}</c> with a bearer token,
/// JSON answers, <c>application/problem+json</c> errors. A test sets <see cref="Secrets"/>, or forces an answer with
/// <see cref="Problem"/>, and reads what the client sent in <see cref="Received"/>.
/// </summary>
public sealed class MachineApiStub : IAsyncDisposable
{
    /// <summary>A well-formed token (zgs_ and the base64url of 32 bytes) that the stub accepts.</summary>
    public const string ValidToken = "zgs_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    private readonly WebApplication _app;

    private MachineApiStub(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>The token's scope: names and values.</summary>
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every request gets this answer.</summary>
    public ApiProblem? Problem { get; set; }

    /// <summary>When set, the stub waits this long before answering.</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>When set, answers raw: this status, content type and body.</summary>
    public (int Status, string ContentType, string Body)? Raw { get; set; }

    /// <summary>Every request: the path as received (still escaped) and its Authorization header.</summary>
    public ConcurrentQueue<(string RawPath, string? Authorization)> Received { get; } = new();

    public static async Task<MachineApiStub> StartAsync(bool https = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (https) listen.UseHttps(SelfSignedCertificate());
        }));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        MachineApiStub? stub = null;
        app.Run(context => stub!.AnswerAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        stub = new MachineApiStub(app, address);
        return stub;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var rawPath = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        var authorization = context.Request.Headers.Authorization.ToString();
        Received.Enqueue((rawPath, authorization.Length == 0 ? null : authorization));
        context.Response.Headers.CacheControl = "no-store";
        if (Delay is { } delay) await Task.Delay(delay, context.RequestAborted);

        if (Raw is { } raw)
        {
            context.Response.StatusCode = raw.Status;
            context.Response.ContentType = raw.ContentType;
            await context.Response.WriteAsync(raw.Body);
            return;
        }

        if (Problem is { } forced)
        {
            await WriteProblemAsync(context, forced);
            return;
        }

        if (authorization.Length == 0)
        {
            await WriteProblemAsync(context, new ApiProblem(401, "token_missing", "An access token is required.", "Send Authorization: Bearer zgs_..."));
            return;
        }

        if (authorization != "Bearer " + ValidToken)
        {
            await WriteProblemAsync(context, new ApiProblem(401, "token_invalid", "The access token is not valid.", "It is malformed or unknown."));
            return;
        }

        const string prefix = "/api/v1/secrets";
        var path = context.Request.Path.Value ?? "";
        if (path == prefix)
        {
            await context.Response.WriteAsJsonAsync(Secrets);
            return;
        }

        if (path.StartsWith(prefix + "/", StringComparison.Ordinal) && Secrets.TryGetValue(path[(prefix.Length + 1)..], out var value))
        {
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { [path[(prefix.Length + 1)..]] = value });
            return;
        }

        await WriteProblemAsync(context, path.StartsWith(prefix + "/", StringComparison.Ordinal)
            ? new ApiProblem(403, "out_of_scope", "Not in this token's scope.", $"{path[(prefix.Length + 1)..]} is not one of the token's secrets.", [path[(prefix.Length + 1)..]])
            : new ApiProblem(404, "not_found", "Not found.", "No such endpoint."));
    }

    private static async Task WriteProblemAsync(HttpContext context, ApiProblem problem)
    {
        context.Response.StatusCode = problem.Status;
        context.Response.ContentType = "application/problem+json";
        if (problem.RetryAfterSeconds is { } retry) context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = new Dictionary<string, object>
        {
            ["type"] = "about:blank", ["status"] = problem.Status, ["title"] = problem.Title, ["detail"] = problem.Detail, ["code"] = problem.Code,
        };
        if (problem.Secrets is not null) body["secrets"] = problem.Secrets;
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>A certificate for localhost and 127.0.0.1 that nothing trusts: what a TLS failure looks like to a client.</summary>
    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
