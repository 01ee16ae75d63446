using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// Nothing is kept in memory between requests: the grid's rows are revalidated by the browser against the organization's
/// change stamp (ETag, 304), and an integration run reads its values from the database. These tests change the database
/// through the app and past it (as another instance, rotate-key or an operator's SQL would) and check that the next read
/// never answers what was there before.
/// </summary>
public class FreshReadsTests : IAsyncLifetime
{
    private const string RowsUrl = "/Secrets?handler=Rows";
    private readonly ZiggyAppFactory _app;
    private CurrentUser _olivia = null!;
    private TestSession _session = null!;

    public FreshReadsTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected FreshReadsTests(ZiggyAppFactory app) => _app = app;

    public async Task InitializeAsync()
    {
        var owner = await _app.SetUpAsync();
        _olivia = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        foreach (var name in new[] { "API_KEY", "TOKEN" })
            await CreateAsync(name, $"{name.ToLowerInvariant()}-production-value-1");
        _session = await _app.SignInAsync("owner@acme.test");
    }

    public Task DisposeAsync()
    {
        _session.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private Task<Result<SavedSecret>> CreateAsync(string name, string production, CurrentUser? actor = null) =>
        _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(actor ?? _olivia,
            new SecretDraft(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = production })));

    /// <summary>SQL past the app, the same text on SQLite and PostgreSQL (identifiers quoted, values as parameters).</summary>
    private Task<int> ExecuteAsync(FormattableString sql) => _app.WithDbAsync(db => db.Database.ExecuteSqlAsync(sql));

    private Task<Guid> IdOfAsync(string name) => _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());

    private Task<Result<IReadOnlyList<ResolvedValue>>> ResolveAsync(CurrentUser? user = null, params string[] names) =>
        _app.WithServiceAsync<SecretValueResolver, Result<IReadOnlyList<ResolvedValue>>>(async r =>
        {
            var authorization = _app.Services.GetRequiredService<IAuthorizationService>();
            var actor = user ?? _olivia;
            return await r.ResolveAsync(_olivia.OrganizationId, names.Length > 0 ? names : ["API_KEY", "TOKEN"], SecretEnvironment.Production,
                async secrets =>
                {
                    var refusals = new List<string>();
                    foreach (var secret in secrets)
                    {
                        if (!await authorization.AllowsAsync(actor, secret, ResourceOperations.Update)) refusals.Add($"{actor.DisplayName} may not change {secret.Name}.");
                    }

                    return refusals;
                });
        });

    private static string ValueOf(Result<IReadOnlyList<ResolvedValue>> result, string name)
    {
        Assert.True(result.IsOk, string.Join(" ", result.Errors.Select(e => e.Message)));
        return result.Value!.Single(v => v.Name == name).Value;
    }

    private static Task<HttpResponseMessage> RowsAsync(TestSession session, EntityTagHeaderValue? held = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RowsUrl);
        if (held is not null) request.Headers.IfNoneMatch.Add(held);
        return session.Client.SendAsync(request);
    }

    private static async Task<List<(string Name, string Description, string Owner)>> RowsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("description").GetString()!, r.GetProperty("owner").GetString()!)).ToList();
    }

    /// <summary>The rows' current tag, then asserts that revalidating with it answers 304 with no body.</summary>
    private async Task<EntityTagHeaderValue> SettledTagAsync()
    {
        var tag = (await RowsAsync(_session)).Headers.ETag!;
        var again = await RowsAsync(_session, tag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        return tag;
    }

    [Fact]
    public async Task Rows_Answer_CarryAnETagAndArePrivateNoCacheWhileOtherPagesStayNoStore()
    {
        var response = await RowsAsync(_session);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.True(response.Headers.CacheControl!.Private);
        Assert.True(response.Headers.CacheControl.NoCache);
        Assert.False(response.Headers.CacheControl.NoStore);

        foreach (var url in new[] { "/Secrets", $"/Secrets?handler=Edit&id={await IdOfAsync("TOKEN")}" })
            Assert.True((await _session.GetAsync(url, htmx: true)).Headers.CacheControl!.NoStore, url);
    }

    [Fact]
    public async Task Rows_RevalidatedWithTheirTag_Answer304WithoutRows()
    {
        var tag = await SettledTagAsync();

        var response = await RowsAsync(_session, tag);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(tag, response.Headers.ETag);
        Assert.True(response.Headers.CacheControl!.NoCache);
    }

    [Fact]
    public async Task Rows_RevalidatedWithAnotherTag_AnswerTheRows()
    {
        var response = await RowsAsync(_session, new EntityTagHeaderValue("\"not-the-tag\""));

        Assert.Equal(["API_KEY", "TOKEN"], (await RowsOf(response)).Select(r => r.Name));
    }

    [Fact]
    public async Task Rows_AfterASecretIsAddedThroughTheApp_AreSentAgainWithIt()
    {
        var tag = await SettledTagAsync();

        await CreateAsync("NEW_KEY", "new-production-value-1");
        var response = await RowsAsync(_session, tag);

        Assert.Equal(["API_KEY", "NEW_KEY", "TOKEN"], (await RowsOf(response)).Select(r => r.Name));
        Assert.NotEqual(tag, response.Headers.ETag);
    }

    [Fact]
    public async Task Rows_AfterChangesPastTheApp_AreSentAgainWithThem()
    {
        var tag = await SettledTagAsync();
        var token = await IdOfAsync("TOKEN");

        Assert.Equal(1, await ExecuteAsync($"""UPDATE "Secrets" SET "Description" = 'changed elsewhere' WHERE "Id" = {token}"""));
        var changed = await RowsAsync(_session, tag);
        Assert.Equal("changed elsewhere", (await RowsOf(changed)).Single(r => r.Name == "TOKEN").Description);

        var apiKey = await IdOfAsync("API_KEY");
        Assert.Equal(1, await ExecuteAsync($"""DELETE FROM "Secrets" WHERE "Id" = {apiKey}"""));
        var deleted = await RowsAsync(_session, changed.Headers.ETag);
        Assert.Equal(["TOKEN"], (await RowsOf(deleted)).Select(r => r.Name));
    }

    [Fact]
    public async Task Rows_AfterTheOwnerIsRenamed_AreSentAgainWithTheNewName()
    {
        var tag = await SettledTagAsync();

        Assert.Equal(1, await ExecuteAsync($"""UPDATE "AspNetUsers" SET "DisplayName" = 'Olivia Renamed' WHERE "Id" = {_olivia.UserId}"""));
        var response = await RowsAsync(_session, tag);

        Assert.All(await RowsOf(response), r => Assert.Equal("Olivia Renamed", r.Owner));
    }

    [Fact]
    public async Task Rows_AfterAChangeInAnotherOrganization_StillRevalidate()
    {
        var tag = await SettledTagAsync();
        var other = await _app.AddOrganizationAsync("Globex");
        var gina = await _app.AddUserAsync(other, "gina@globex.test", Role.Admin, "Gina Globex");

        Assert.True((await CreateAsync("GLOBEX_KEY", "globex-production-value-1", new CurrentUser(gina.Id, other, Role.Admin, "Gina Globex"))).IsOk);
        Assert.Equal(1, await ExecuteAsync($"""UPDATE "AspNetUsers" SET "DisplayName" = 'Gina Renamed' WHERE "Id" = {gina.Id}"""));

        Assert.Equal(HttpStatusCode.NotModified, (await RowsAsync(_session, tag)).StatusCode);
    }

    [Fact]
    public async Task Rows_TagOfAnotherOrganization_NeverMatches()
    {
        // Two organizations without a single write yet have the same stamp: the tag still tells them apart.
        var other = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(other, "gina@globex.test", Role.Admin, "Gina Globex");
        var emptyAcme = await _app.AddOrganizationAsync("Initech");
        await _app.AddUserAsync(emptyAcme, "ian@initech.test", Role.Admin, "Ian Initech");
        using var gina = await _app.SignInAsync("gina@globex.test");
        using var ian = await _app.SignInAsync("ian@initech.test");
        var ginaTag = (await RowsAsync(gina)).Headers.ETag!;

        var oliviaWithGinasTag = await RowsAsync(_session, ginaTag);
        var ianWithGinasTag = await RowsAsync(ian, ginaTag);

        Assert.Equal(["API_KEY", "TOKEN"], (await RowsOf(oliviaWithGinasTag)).Select(r => r.Name));
        Assert.Equal(HttpStatusCode.OK, ianWithGinasTag.StatusCode);
        Assert.NotEqual(ginaTag, ianWithGinasTag.Headers.ETag);
    }

    [Fact]
    public async Task Rows_SignedOut_AreRefusedEvenWithAValidTag()
    {
        var tag = await SettledTagAsync();
        using var anonymous = _app.CreateSession();

        var response = await RowsAsync(anonymous, tag);

        Assert.NotEqual(HttpStatusCode.NotModified, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Resolve_AfterASaveThroughTheApp_AnswersTheNewValue()
    {
        Assert.Equal("api_key-production-value-1", ValueOf(await ResolveAsync(), "API_KEY"));
        var id = await IdOfAsync("API_KEY");
        var version = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Id == id).Select(s => s.Version).SingleAsync());

        Assert.True((await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(_olivia, id,
            new SecretChanges(version, "API_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = "api_key-production-value-2" })))).IsOk);

        Assert.Equal("api_key-production-value-2", ValueOf(await ResolveAsync(), "API_KEY"));
    }

    [Fact]
    public async Task Resolve_AfterCiphertextSwappedPastTheApp_FailsInsteadOfAnsweringTheOldValue()
    {
        Assert.True((await ResolveAsync()).IsOk);
        var from = await IdOfAsync("TOKEN");
        var to = await IdOfAsync("API_KEY");

        // As a tampering hand would: TOKEN's ciphertext now sits under API_KEY.
        Assert.Equal(1, await ExecuteAsync($"""
            UPDATE "SecretValues" SET "Ciphertext" = (SELECT v."Ciphertext" FROM "SecretValues" v WHERE v."SecretId" = {from}),
                "Nonce" = (SELECT v."Nonce" FROM "SecretValues" v WHERE v."SecretId" = {from})
            WHERE "SecretId" = {to}
            """));
        var result = await ResolveAsync();

        Assert.False(result.IsOk);
        Assert.Equal("The stored Production value of secret API_KEY cannot be decrypted: it was altered or moved from another secret, " +
                     "environment or organization. Nothing was sent.", result.Errors.Single().Message);
    }

    [Fact]
    public async Task Resolve_AfterTheValueWasRemovedPastTheApp_SaysItIsMissing()
    {
        Assert.True((await ResolveAsync()).IsOk);
        var token = await IdOfAsync("TOKEN");

        Assert.Equal(1, await ExecuteAsync($"""DELETE FROM "SecretValues" WHERE "SecretId" = {token}"""));
        var result = await ResolveAsync();

        Assert.Equal("No Production value for: TOKEN. Nothing was sent.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Resolve_AfterTheSecretWasRenamedPastTheApp_CallsTheOldNameUnknown()
    {
        Assert.True((await ResolveAsync()).IsOk);
        var token = await IdOfAsync("TOKEN");

        Assert.Equal(1, await ExecuteAsync($"""UPDATE "Secrets" SET "Name" = 'TOKEN_OLD' WHERE "Id" = {token}"""));
        var result = await ResolveAsync();

        Assert.Equal("Unknown secrets: TOKEN. Nothing was sent.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Resolve_AfterOwnershipMovedPastTheApp_JudgesTheNewOwner()
    {
        var mia = await _app.AddUserAsync(_olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var miaActor = new CurrentUser(mia.Id, mia.OrganizationId, Role.Member, "Mia Member");
        var token = await IdOfAsync("TOKEN");
        await ExecuteAsync($"""UPDATE "Secrets" SET "OwnerId" = {mia.Id} WHERE "Id" = {token}""");
        Assert.Equal("token-production-value-1", ValueOf(await ResolveAsync(miaActor, "TOKEN"), "TOKEN"));

        await ExecuteAsync($"""UPDATE "Secrets" SET "OwnerId" = {_olivia.UserId} WHERE "Id" = {token}""");
        var result = await ResolveAsync(miaActor, "TOKEN");

        Assert.Equal("Mia Member may not change TOKEN. Nothing was sent.", Assert.Single(result.Errors).Message);
    }
}

/// <summary>The same tests on PostgreSQL, where another instance is the usual writer.</summary>
[RequiresPostgres]
public sealed class FreshReadsTestsOnPostgres() : FreshReadsTests(new PostgresAppFactory());
