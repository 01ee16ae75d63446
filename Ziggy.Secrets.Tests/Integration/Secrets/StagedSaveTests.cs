using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// A save loads, checks and encrypts before its write transaction, and only saves inside it. These tests make something
/// happen exactly in between (just before the transaction begins) and check that the save cannot write past it.
/// </summary>
public sealed class StagedSaveTests : IDisposable
{
    private const string Original = "stg-original-value-0001";
    private const string Attempted = "stg-attempted-value-0002";
    private readonly BeforeNextTransaction _between = new();
    private readonly ZiggyAppFactory _app;

    public StagedSaveTests() => _app = new ZiggyAppFactory { TestServices = services => services.ConfigureDbContext<ZiggyDbContext>(o => o.AddInterceptors(_between)) };

    public void Dispose() => _app.Dispose();

    private async Task<(CurrentUser Admin, CurrentUser Member, SavedSecret Secret)> SeedAsync()
    {
        var admin = await _app.SetUpAsync();
        var member = await _app.AddUserAsync(admin.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var created = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s =>
            s.CreateAsync(CurrentUser.Of(member), new SecretDraft("PAYMENTS_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = Original })));
        return (CurrentUser.Of(admin), CurrentUser.Of(member), created.Value!);
    }

    private Task<Result<SavedSecret>> SaveAsync(CurrentUser actor, SavedSecret secret) =>
        _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(actor, secret.Id,
            new SecretChanges(secret.Version, "PAYMENTS_KEY", "attempted", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = Attempted })));

    private async Task AssertNothingOfTheSaveWasWrittenAsync(Result<SavedSecret> result)
    {
        Assert.Equal(Outcome.Conflict, result.Outcome);
        Assert.StartsWith("Someone else saved this secret at the same moment.", result.Errors.Single().Message);
        var stored = await _app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().SingleAsync());
        Assert.NotEqual("attempted", stored.Description);
        Assert.Equal(SecretMask.For(Original), stored.ValueFor(SecretEnvironment.Staging)!.Mask);
        Assert.Equal(1, await _app.WithDbAsync(db => db.SecretValueVersions.CountAsync()));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretUpdated)));
    }

    [Fact]
    public async Task Save_WhenSomeoneElseSavesTheSecretAfterItsChecks_IsAConflictAndWritesNothing()
    {
        var (_, member, secret) = await SeedAsync();
        _between.Arm(() => SqliteAdmin.Execute(_app.DatabasePath,
            "UPDATE Secrets SET Description = 'saved by someone else', Version = Version + 1 WHERE Id = $id", ("$id", SqliteAdmin.Text(secret.Id))));

        var result = await SaveAsync(member, secret);

        Assert.True(_between.Ran);
        await AssertNothingOfTheSaveWasWrittenAsync(result);
        Assert.Equal("saved by someone else", await _app.WithDbAsync(db => db.Secrets.Select(s => s.Description).SingleAsync()));
    }

    [Fact]
    public async Task Save_ByTheOwner_WhenAnAdminTakesTheSecretAwayAfterItsChecks_IsRefusedAndWritesNothing()
    {
        // The member was the owner when the save checked its right to change the secret, and no longer is when it writes.
        var (admin, member, secret) = await SeedAsync();
        _between.Arm(() => SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Secrets SET OwnerId = $owner, Version = Version + 1 WHERE Id = $id",
            ("$owner", SqliteAdmin.Text(admin.UserId)), ("$id", SqliteAdmin.Text(secret.Id))));

        var result = await SaveAsync(member, secret);

        Assert.True(_between.Ran);
        await AssertNothingOfTheSaveWasWrittenAsync(result);
        Assert.Equal(admin.UserId, await _app.WithDbAsync(db => db.Secrets.Select(s => s.OwnerId).SingleAsync()));
    }

    [Fact]
    public async Task Save_WhenANewDataKeyBecomesActiveAfterItsChecks_StoresTheValueAndItsVersionUnderTheNewKey()
    {
        // What a rotate-key run in another process does first: store a newer data key.
        var (_, member, secret) = await SeedAsync();
        _between.Arm(() =>
        {
            using var scope = _app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
            db.DataKeys.Add(StoredDataKey.From(DataKeyRing.CreateWrapped(_app.Services.GetRequiredService<MasterKey>(), 2, _app.Clock.GetUtcNow())));
            return db.SaveChanges();
        });

        var result = await SaveAsync(member, secret);

        Assert.True(_between.Ran);
        Assert.True(result.IsOk);
        var stored = await _app.WithDbAsync(db => db.SecretValues.AsNoTracking().SingleAsync());
        Assert.Equal(2, stored.KeyId);
        var newest = await _app.WithDbAsync(db => db.SecretValueVersions.AsNoTracking().OrderByDescending(v => v.Number).FirstAsync());
        Assert.Equal((2, 2), (newest.Number, newest.KeyId));
        var place = new ValuePlace(member.OrganizationId, secret.Id, "PAYMENTS_KEY", SecretEnvironment.Staging);
        Assert.Equal(Attempted, _app.Services.GetRequiredService<ISecretCipher>().Decrypt(stored.ToEncrypted(), place).Plaintext);
    }

    /// <summary>Runs an action once, on the next transaction any of the app's contexts begins, just before it begins.</summary>
    private sealed class BeforeNextTransaction : DbTransactionInterceptor
    {
        private Func<int>? _action;

        public bool Ran { get; private set; }

        public void Arm(Func<int> action) => _action = action;

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _action, null) is { } action)
            {
                Assert.Equal(1, action());
                Ran = true;
            }

            return ValueTask.FromResult(result);
        }
    }
}
