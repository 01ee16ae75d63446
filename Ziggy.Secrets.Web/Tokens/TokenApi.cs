using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>
/// The machine API: <c>GET /api/v1/secrets</c> and <c>GET /api/v1/secrets/{name}</c>, for a Bearer access token only.
/// No cookie opens it (the endpoints read the Authorization header and nothing else), no CORS header is ever sent, and
/// every answer is <c>Cache-Control: no-store</c>; refusals are problem+json with a stable <c>code</c>.
/// </summary>
public static class TokenApi
{
    public const string SecretsPath = "/api/v1/secrets";
    public const string RateLimitPolicy = "access-token";
    public const string DocumentName = "v1";

    public static IServiceCollection AddZiggyTokens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TokenApiOptions>().Bind(configuration.GetSection(TokenApiOptions.Section))
            .Validate(o => o.RequestsPerMinute > 0, $"{TokenApiOptions.Section}:RequestsPerMinute must be a positive number.")
            .ValidateOnStart();
        services.AddScoped<AccessTokenService>();
        services.AddSingleton<TokenCallRecorder>();
        services.Configure<RateLimiterOptions>(options => options.AddPolicy<string, PerTokenRateLimit>(RateLimitPolicy));
        services.AddOpenApi(DocumentName, options =>
        {
            // The document describes the machine API only, not the pages or health checks.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.OrdinalIgnoreCase) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Ziggy Secrets machine API";
                document.Info.Description = "Read the secrets of an access token's scope in its environment. Create tokens on the Access tokens page " +
                    "(Integrations). Errors are application/problem+json with a `code` member: token_missing, token_invalid, token_expired, " +
                    "token_revoked (401); out_of_scope, not_allowed, network_not_allowed (403); no_value, not_found (404); rate_limited (429); " +
                    "and `secrets`, the names involved.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["accessToken"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "zgs_ followed by 43 base64url characters",
                    Description = "An access token, sent as `Authorization: Bearer zgs_...`.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("accessToken", document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapZiggyTokenApi(this IEndpointRouteBuilder app)
    {
        // Anonymous as far as the sign-in cookie goes: the handler itself accepts nothing but a Bearer token.
        var api = app.MapGroup("/api/v1").AllowAnonymous().RequireRateLimiting(RateLimitPolicy).WithTags("Secrets");
        api.MapGet("/secrets", (HttpContext http, AccessTokenService tokens, ILogger<AccessTokenService> log) => AnswerAsync(http, tokens, log, null))
            .WithName("ListSecrets")
            .WithSummary("Every secret of the token's scope, as a JSON object of name to value.")
            .WithDescription("All or nothing: when any secret of the scope is refused or has no value, the answer is that error, naming the secrets.")
            .Produces<Dictionary<string, string>>(StatusCodes.Status200OK, "application/json")
            .WithProblems();
        api.MapGet("/secrets/{name}", (HttpContext http, AccessTokenService tokens, ILogger<AccessTokenService> log, string name) => AnswerAsync(http, tokens, log, name))
            .WithName("GetSecret")
            .WithSummary("One secret of the token's scope, as a JSON object with one entry.")
            .Produces<Dictionary<string, string>>(StatusCodes.Status200OK, "application/json")
            .WithProblems();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }

    private static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status500InternalServerError);

    private static async Task<IResult> AnswerAsync(HttpContext http, AccessTokenService tokens, ILogger log, string? name)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (BearerToken(http.Request) is not { } token)
        {
            return Problem(http, ApiAnswer.Refusal(401, ApiCodes.TokenMissing, "No access token was sent.",
                "Send an access token as 'Authorization: Bearer zgs_...'. A browser's sign-in does not open the API."));
        }

        ApiAnswer answer;
        try
        {
            answer = await tokens.ReadAsync(token, http.Connection.RemoteIpAddress, name);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The audit event (or the read) could not be saved: no value leaves. The exception names no token or value.
            log.LogError(e, "An access token request could not be answered; no value was returned.");
            answer = ApiAnswer.Refusal(500, ApiCodes.ServerError, "The server could not answer.",
                "Nothing was returned because the request could not be recorded. Try again later.");
        }

        return answer.Values is { } values ? TypedResults.Json(values, statusCode: StatusCodes.Status200OK, contentType: "application/json")
            : Problem(http, answer);
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header; null when there is no such header (a refusal, token_missing).</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var headers = request.Headers.Authorization;
        if (headers.Count == 0) return null;
        // Two Authorization headers are not a token: answer "malformed" rather than pick one.
        if (headers.Count > 1) return "";
        var header = headers[0] ?? "";
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    private static IResult Problem(HttpContext http, ApiAnswer answer)
    {
        if (answer.Status == StatusCodes.Status401Unauthorized)
            http.Response.Headers.WWWAuthenticate = answer.Code == ApiCodes.TokenMissing ? "Bearer" : "Bearer error=\"invalid_token\"";
        var extensions = new Dictionary<string, object?> { ["code"] = answer.Code };
        if (answer.Secrets.Count > 0) extensions["secrets"] = answer.Secrets;
        return TypedResults.Problem(answer.Detail, statusCode: answer.Status, title: answer.Title, extensions: extensions);
    }

    /// <summary>
    /// Counts each token's requests in one-minute windows (<see cref="TokenApiOptions.RequestsPerMinute"/>). Requests
    /// without a well-formed token count against their client address instead, so guessing costs the guesser.
    /// </summary>
    private sealed class PerTokenRateLimit(IOptionsMonitor<TokenApiOptions> options) : IRateLimiterPolicy<string>
    {
        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            var token = BearerToken(httpContext.Request);
            var key = AccessTokenFormat.IsWellFormed(token)
                ? "token:" + Convert.ToHexString(AccessTokenFormat.HashOf(token!))
                : "address:" + RateLimits.ClientKey(httpContext.Connection.RemoteIpAddress);
            var limit = options.CurrentValue.RequestsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        }

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, cancellationToken) =>
        {
            var http = context.HttpContext;
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
            var seconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            http.Response.Headers.CacheControl = "no-store";
            await Problem(http, ApiAnswer.Refusal(StatusCodes.Status429TooManyRequests, ApiCodes.RateLimited, "Too many requests for this token.",
                $"Wait {seconds} seconds, then try again.")).ExecuteAsync(http);
        };
    }
}
