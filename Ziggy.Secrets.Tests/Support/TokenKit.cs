using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>Creates secrets and access tokens through the domain services, and calls the machine API as a program would.</summary>
public sealed class TokenKit(ZiggyAppFactory app)
{
    /// <summary>
    /// Opens a write transaction and keeps it open until the returned source is set: on SQLite it holds the database's one
    /// writer place, so every other write of the app waits behind it.
    /// </summary>
    public async Task<(Task Write, TaskCompletionSource Release)> HoldAWriteAsync()
    {
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var write = app.WithServiceAsync<ZiggyDbContext, Result<bool>>(db => db.InTransactionAsync(async () =>
        {
            holding.SetResult();
            await release.Task;
            return Result<bool>.Ok(true);
        }));
        await holding.Task;
        return (write, release);
    }

    public async Task<Guid> SecretAsync(CurrentUser owner, string name, string? development = null, string? production = null)
    {
        var values = new Dictionary<SecretEnvironment, string>();
        if (development is not null) values[SecretEnvironment.Development] = development;
        if (production is not null) values[SecretEnvironment.Production] = production;
        var result = await app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(owner, new SecretDraft(name, "", values)));
        Assert.True(result.IsOk, string.Join("; ", result.Errors.Select(e => e.Message)));
        return result.Value!.Id;
    }

    public Task<Guid> IdOfAsync(string name) => app.WithDbAsync(db => db.Secrets.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());

    public async Task<Result<CreatedAccessToken>> TryCreateAsync(CurrentUser creator, string environment, IEnumerable<string> names,
        int? days = 90, string? networks = null, string? purpose = "billing-worker")
    {
        var ids = new List<Guid>();
        foreach (var name in names) ids.Add(await IdOfAsync(name));
        return await app.WithServiceAsync<AccessTokenService, Result<CreatedAccessToken>>(s =>
            s.CreateAsync(creator, new AccessTokenDraft(purpose, environment, ids, days, networks)));
    }

    public async Task<string> CreateAsync(CurrentUser creator, string environment, params string[] names) =>
        await CreateWithNetworksAsync(creator, environment, null, names);

    public async Task<string> CreateWithNetworksAsync(CurrentUser creator, string environment, string? networks, params string[] names)
    {
        var result = await TryCreateAsync(creator, environment, names, networks: networks);
        Assert.True(result.IsOk, string.Join("; ", result.Errors.Select(e => e.Message)));
        return result.Value!.Token;
    }

    /// <summary>A GET of the API through the test server; no cookie unless <paramref name="client"/> carries one.</summary>
    public async Task<ApiResponse> GetAsync(string path, string? token, HttpClient? client = null, Action<HttpRequestMessage>? adjust = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        adjust?.Invoke(request);
        var own = client is null;
        client ??= app.CreateDefaultClient();
        try
        {
            using var response = await client.SendAsync(request);
            return await ApiResponse.ReadAsync(response);
        }
        finally
        {
            if (own) client.Dispose();
        }
    }
}

/// <summary>What the API answered: status, headers, body, and the problem's code and secrets when it is a refusal.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, headers, await response.Content.ReadAsStringAsync());
    }

    public Dictionary<string, string> Values()
    {
        Assert.True(Status == HttpStatusCode.OK, $"{(int)Status}: {Body}");
        Assert.Equal("application/json", ContentType);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(Body)!;
    }

    public string Code => JsonDocument.Parse(Body).RootElement.GetProperty("code").GetString()!;

    public string Title => JsonDocument.Parse(Body).RootElement.GetProperty("title").GetString()!;

    public string Detail => JsonDocument.Parse(Body).RootElement.GetProperty("detail").GetString()!;

    public IReadOnlyList<string> Secrets => JsonDocument.Parse(Body).RootElement.TryGetProperty("secrets", out var s)
        ? s.EnumerateArray().Select(e => e.GetString()!).ToList() : [];

    /// <summary>Asserts a refusal of the contract: its status, problem+json, its code and the secrets it names.</summary>
    public void AssertProblem(HttpStatusCode status, string code, params string[] secrets)
    {
        Assert.True(Status == status, $"expected {(int)status} {code}, got {(int)Status}: {Body}");
        Assert.Equal("application/problem+json", ContentType);
        Assert.Equal(code, Code);
        Assert.False(string.IsNullOrWhiteSpace(Title));
        Assert.Equal(secrets, Secrets);
        Assert.Equal("no-store", Headers["Cache-Control"]);
    }
}
