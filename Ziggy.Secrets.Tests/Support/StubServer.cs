using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>What the stub received: the real request, secrets and all.</summary>
public sealed record StubRequest(string Method, string PathAndQuery, Dictionary<string, string> Headers, string Body)
{
    public string Everything => $"{Method} {PathAndQuery}\n{string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}"))}\n\n{Body}";
}

/// <summary>
/// A tiny HTTP server on 127.0.0.1 standing in for a third-party API. /echo answers with everything it received raw,
/// URL-encoded and JSON-escaped, plus its body in base64 (so redaction has every form to find); /slow never answers in time; /big answers 2 MiB;
/// /redirect?to=URL&amp;status=30x redirects (302 unless told).
/// </summary>
public sealed class StubServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<StubRequest> Received { get; } = new();

    public string BaseUrl { get; }

    private StubServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<StubServer> StartAsync()
    {
        // Like the test apps, the stub does not watch appsettings files (each watcher holds one of the user's few inotify instances).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.RequestHeaderEncodingSelector = _ => Encoding.UTF8;
            kestrel.ResponseHeaderEncodingSelector = _ => Encoding.UTF8;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        StubServer? stub = null;
        app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            stub!.Received.Enqueue(new StubRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()), body));
            context.Items["body"] = body;
            await next(context);
        });
        app.MapMethods("/echo", ["GET", "POST", "PUT", "PATCH", "DELETE"], (HttpContext context) =>
        {
            var received = stub!.Received.Last();
            var everything = received.Everything;
            context.Response.Headers["X-Echo-Auth"] = received.Headers.GetValueOrDefault("Authorization", "");
            return Results.Text(
                "raw: " + everything + "\n" +
                "url: " + Uri.EscapeDataString(everything) + "\n" +
                "json: " + JsonSerializer.Serialize(everything) + "\n" +
                "base64 of the body: " + Convert.ToBase64String(Encoding.UTF8.GetBytes(received.Body)) + "\n", "text/plain");
        });
        // Echoes the X-Value header back in every spelling SecretEncodings knows, in the body and across headers, as a
        // hostile target would to walk around redaction.
        app.MapGet("/forms", (HttpContext context) =>
        {
            var value = context.Request.Headers["X-Value"].ToString();
            var half = value.Length / 2;
            var headers = context.Response.Headers;
            headers["X-Split-1"] = value[..half];
            headers["X-Split-2"] = value[half..];
            headers.Append("X-Repeated", value[..half]);
            headers.Append("X-Repeated", value[half..]);
            headers.SetCookie = $"session={Uri.EscapeDataString(value)}; Path=/; HttpOnly";
            headers["X-Hex"] = Convert.ToHexString(Encoding.UTF8.GetBytes(value));
            headers["X-Base64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
            var body = new StringBuilder();
            foreach (var (name, form) in SecretEncodings.Fixed.Concat(SecretEncodings.Embedded)) body.Append(name).Append(": ").Append(form(value)).Append('\n');
            return Results.Text(body.ToString(), "text/plain; charset=utf-8");
        });
        app.MapGet("/slow", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20));
            return Results.Text("too late");
        });
        app.MapGet("/big", () => Results.Text(new string('b', 2 * 1024 * 1024 + 10)));
        app.MapMethods("/redirect", ["GET", "POST", "PUT", "PATCH", "DELETE"], (HttpContext context, string to, int? status) =>
        {
            context.Response.StatusCode = status ?? StatusCodes.Status302Found;
            context.Response.Headers.Location = to;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub = new StubServer(app, address.TrimEnd('/'));
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
