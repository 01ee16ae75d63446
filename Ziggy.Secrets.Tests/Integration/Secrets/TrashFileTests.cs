using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// SQLite only: a secret deleted for good leaves no ciphertext in the database file or its WAL. (On PostgreSQL the rows
/// are dead tuples until VACUUM: see Data/SecureDelete.cs.)
/// </summary>
public sealed class TrashFileTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<(CurrentUser Owner, Guid Id, List<byte[]> Ciphertexts)> TrashedSecretAsync(string name)
    {
        var user = await _app.SetUpAsync();
        var owner = new CurrentUser(user.Id, user.OrganizationId, user.Role, user.DisplayName);
        var values = new Dictionary<SecretEnvironment, string>
        {
            [SecretEnvironment.Development] = "dev-" + new string('d', 200), [SecretEnvironment.Production] = "prd-" + new string('p', 200),
        };
        var id = (await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(owner, new SecretDraft(name, "", values)))).Value!.Id;
        var ciphertexts = await _app.WithDbAsync(db => db.SecretValues.Where(v => v.SecretId == id).Select(v => v.Ciphertext).ToListAsync());
        Assert.True((await _app.WithServiceAsync<SecretService, Result<Guid>>(s => s.DeleteAsync(owner, id, "delete"))).IsOk);
        return (owner, id, ciphertexts);
    }

    [Fact]
    public async Task DeletePermanently_CiphertextGoneFromDatabaseFileAndWal()
    {
        var (owner, id, ciphertexts) = await TrashedSecretAsync("STRIPE_API_KEY");
        // The positive control: in the trash, the ciphertext is still stored and the scan finds it.
        Assert.Equal(2, ciphertexts.Count);
        Assert.All(ciphertexts, c => Assert.True(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));

        Assert.True((await _app.WithServiceAsync<TrashService, Result<string>>(t => t.DeletePermanentlyAsync(owner, id, "delete"))).IsOk);

        Assert.All(ciphertexts, c => Assert.False(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));
        Assert.True(SqliteFileAssert.Contains(_app.DatabasePath, "SecretPermanentlyDeleted"));
    }

    [Fact]
    public async Task Purge_CiphertextGoneFromDatabaseFileAndWal()
    {
        var (_, id, ciphertexts) = await TrashedSecretAsync("STRIPE_API_KEY");
        Assert.All(ciphertexts, c => Assert.True(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));
        _app.Clock.Advance(TimeSpan.FromDays(31));

        await _app.WithServiceAsync<TrashService, int>(t => t.PurgeDueAsync());

        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().CountAsync(s => s.Id == id)));
        Assert.All(ciphertexts, c => Assert.False(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));
    }
}
