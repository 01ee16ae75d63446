using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>What the editor shows of one stored value: never the value, only its mask and fingerprint.</summary>
internal sealed record StoredValueFace(SecretEnvironment Environment, string Mask, byte[]? Fingerprint);

/// <summary>What is stored of a secret: its row, its values' masks and fingerprints, and who owns, created and last changed it.</summary>
internal sealed record StoredSecret(Secret Secret, string Owner, string CreatedBy, string UpdatedBy, List<StoredValueFace> Values)
{
    public IReadOnlyDictionary<SecretEnvironment, byte[]?> Fingerprints => Enum.GetValues<SecretEnvironment>().ToDictionary(e => e, e => ValueOf(e)?.Fingerprint);

    public IReadOnlyDictionary<SecretEnvironment, string?> Masks => Enum.GetValues<SecretEnvironment>().ToDictionary(e => e, e => ValueOf(e)?.Mask);

    private StoredValueFace? ValueOf(SecretEnvironment environment) => Values.Find(v => v.Environment == environment);
}

/// <summary>
/// Everything pages do with secrets. Each write loads the secret from the database (scoped to the caller's
/// organization), authorizes that entity, then changes it in one transaction, and answers what it saved; a write that
/// the editor shows afterwards answers the editor's view too, drawn from what it loaded and changed rather than read
/// again (<see cref="SavedSecret.Editor"/>). Nothing here
/// decrypts: listing, opening and saving only encrypt new values and read the stored masks; a restore copies a stored
/// ciphertext as it is.
/// </summary>
public sealed class SecretService(
    ZiggyDbContext db, ISecretCipher cipher, IAuthorizationService authorization, AuditTrail audit, AuditQueries auditQueries, TimeProvider clock,
    ValueHistory history)
{
    public const string ConfirmDeleteMessage = "Type delete to confirm.";
    public const string ChooseOwnerMessage = "Choose an active member of this organization.";

    // Bumped whenever the rows' JSON changes shape, so a browser's rows of an older release are not revalidated.
    private const string RowsFormat = "rows-v2";

    // The editor's read, in one statement: the secret, its three names, and its values' masks and fingerprints. The values
    // are a join, not a subquery each, and it asks for all rows of the id rather than the first: see PerModelQuery on
    // what SQLite's compiling of a statement costs. The integrations using it are a query of their own (UsedBy).
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Guid, IAsyncEnumerable<StoredSecret>>> SecretWithNames = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid id, Guid organizationId) =>
            c.Secrets.AsNoTracking()
                .Where(s => s.Id == id && s.OrganizationId == organizationId)
                .Select(s => new StoredSecret(s, s.Owner!.DisplayName, s.CreatedBy!.DisplayName, s.UpdatedBy!.DisplayName,
                    s.Values.Select(v => new StoredValueFace(v.Environment, v.Mask, v.Fingerprint)).ToList()))
                .AsSingleQuery()));

    // Every save, restore, transfer and delete loads its secret so: tracked, with its values and the names of its owner
    // and creator, which the editor shown after the write needs (all rows of the id, as above).
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Guid, IAsyncEnumerable<LoadedSecret>>> Tracked = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid id, Guid organizationId) =>
            c.Secrets.Include(s => s.Values).Where(s => s.Id == id && s.OrganizationId == organizationId)
                .Select(s => new LoadedSecret(s, s.Owner!.DisplayName, s.CreatedBy!.DisplayName))
                .AsSingleQuery()));

    /// <summary>A secret loaded for a write: the tracked row with its <see cref="Secret.Values"/>, and its owner's and creator's names.</summary>
    private sealed record LoadedSecret(Secret Secret, string Owner, string CreatedBy);

    // The names of the integrations that reference a secret's name, found through the index on the references' secret
    // name, so the work grows with the secret's references, not with the organization's integrations: joined into the
    // editor's read, SQLite would first gather every reference of the organization's integrations, and asked in name
    // order it would walk the organization's integrations instead. The few names are put in order here.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, string, IAsyncEnumerable<string>>> UsedBy = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid organizationId, string name) =>
            from r in c.Set<IntegrationSecretReference>()
            join i in c.Integrations on r.IntegrationId equals i.Id
            where r.SecretName == name && i.OrganizationId == organizationId
            select i.Name));

    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Task<long?>>> ChangeStamp = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid organizationId) =>
            c.SecretsChangeStamps.Where(s => s.OrganizationId == organizationId).Select(s => (long?)s.Stamp).FirstOrDefault()));

    /// <summary>The grid's query: one organization's secrets in name order. On SQLite it reads only the covering index IX_Secrets_Grid.</summary>
    public static IQueryable<SecretRow> RowsQuery(ZiggyDbContext db, Guid organizationId) =>
        db.Secrets.AsNoTracking()
            .Where(s => s.OrganizationId == organizationId)
            .OrderBy(s => s.Name)
            // The four Yes/No columns are read as one number: each column of each row read is a call into the database
            // driver, and an organization's grid reads every row.
            .Select(s => SecretRow.FromFlags(s.Id, s.Name, s.Description,
                (s.HasDevelopment ? SecretRow.DevFlag : 0) | (s.HasStaging ? SecretRow.StagingFlag : 0) | (s.HasProduction ? SecretRow.ProdFlag : 0)
                | (s.ProductionMatchesOther ? SecretRow.ProdSharedFlag : 0),
                s.Owner!.DisplayName, s.CreatedAt));

    /// <summary>
    /// The entity tag of the organization's grid rows: it changes, by database trigger, with every write to one of its
    /// secrets and every change of a member's display name (<see cref="SecretsChangeStamp"/>). A caller that still holds
    /// rows under this tag may keep them without reading them again.
    /// </summary>
    public async Task<string> RowsETagAsync(CurrentUser actor)
    {
        var stamp = await ChangeStamp.For(db)(db, actor.OrganizationId) ?? 0;
        // The organization is part of the tag, so rows one browser holds for another organization never match.
        var tag = SHA256.HashData(Encoding.UTF8.GetBytes($"{RowsFormat}|{actor.OrganizationId:N}|{stamp}"));
        return $"\"{Convert.ToHexStringLower(tag, 0, 16)}\"";
    }

    /// <summary>The grid's rows, streamed as they are read.</summary>
    public IAsyncEnumerable<SecretRow> ListAsync(CurrentUser actor) => RowsQuery(db, actor.OrganizationId).AsAsyncEnumerable();

    public async Task<Result<SecretDetails>> GetAsync(CurrentUser actor, Guid id)
    {
        var found = await SecretWithNames.For(db)(db, id, actor.OrganizationId).FirstOrDefaultAsync();
        if (found is null || !await authorization.AllowsAsync(actor, found.Secret, ResourceOperations.Read)) return Result<SecretDetails>.NotFound();
        return Result<SecretDetails>.Ok(await DetailsAsync(actor, found));
    }

    public async Task<Result<SavedSecret>> CreateAsync(CurrentUser actor, SecretDraft draft) =>
        await SaveAsync(SecretRules.NormalizeName(draft.Name), () => CreateWithinTransactionAsync(actor, draft));

    /// <summary>
    /// <see cref="CreateAsync"/>'s write inside the caller's transaction. The caller commits only an Ok result and turns
    /// the database's concurrency and unique-index refusals into its own results.
    /// </summary>
    internal async Task<Result<SavedSecret>> CreateWithinTransactionAsync(CurrentUser actor, SecretDraft draft)
    {
        if (DraftErrors(draft) is { Count: > 0 } errors) return Result<SavedSecret>.Invalid(errors);
        var name = SecretRules.NormalizeName(draft.Name);
        if (await NameTakenAsync(actor.OrganizationId, name, exceptId: null)) return Duplicate(name);
        var staged = StageNew(actor, draft);
        await db.SaveChangesAsync();
        return staged;
    }

    private static List<FieldError> DraftErrors(SecretDraft draft)
    {
        var values = draft.Values.Where(v => !string.IsNullOrEmpty(v.Value)).ToList();
        var errors = SecretRules.Check(SecretRules.NormalizeName(draft.Name), draft.Description.Trim(), values.Select(v => (v.Key, v.Value)));
        errors.AddRange(Warnings(values, draft.Confirmed));
        return errors;
    }

    /// <summary>
    /// Adds a new secret, its values, their first versions and its audit event to the context, unsaved, for a caller that
    /// has checked the name is free in its transaction and saves many at once (an import). Nothing is added when the
    /// draft is refused.
    /// </summary>
    internal Result<SavedSecret> StageNew(CurrentUser actor, SecretDraft draft)
    {
        if (DraftErrors(draft) is { Count: > 0 } errors) return Result<SavedSecret>.Invalid(errors);
        var name = SecretRules.NormalizeName(draft.Name);
        var description = draft.Description.Trim();
        var values = draft.Values.Where(v => !string.IsNullOrEmpty(v.Value)).ToList();
        var now = clock.GetUtcNow();
        var secret = new Secret
        {
            OrganizationId = actor.OrganizationId,
            Name = name,
            Description = description,
            OwnerId = actor.UserId,
            CreatedAt = now,
            CreatedById = actor.UserId,
            UpdatedAt = now,
            UpdatedById = actor.UserId,
        };
        db.Secrets.Add(secret);
        foreach (var (environment, value) in values)
        {
            var encrypted = Encrypted(secret, environment, value, now);
            history.AppendFirst(secret, environment, encrypted, actor.UserId, now);
            secret.Values.Add(encrypted);
            secret.SetPresence(environment, true);
        }

        secret.UpdateSharedProduction();
        audit.Record(AuditAction.SecretCreated, AuditActor.Of(actor), $"Values set: {Environments(values.Select(v => v.Key))}.", secret.Id, secret.Name);
        return Saved(secret);
    }

    /// <remarks>
    /// A tracked update: the secret is loaded with its values, changed, and saved by one SaveChanges with the
    /// <see cref="Secret.Version"/> concurrency token, so a save that lost a race with another writer changes nothing.
    /// Environments that are neither given a new value nor removed keep their ciphertext untouched. The load, checks and
    /// encryption run before the write transaction (<see cref="SaveStagedAsync"/>).
    /// </remarks>
    public async Task<Result<SavedSecret>> UpdateAsync(CurrentUser actor, Guid id, SecretChanges changes)
    {
        LoadedSecret? loaded = null;
        Dictionary<SecretEnvironment, int>? newest = null;
        var saved = await SaveStagedAsync(SecretRules.NormalizeName(changes.Name),
            async now =>
            {
                loaded = await LoadAsync(actor, id);
                (var result, newest) = await ChangeAsync(actor, loaded?.Secret, changes, now, lastNumbers: null);
                return result;
            },
            now => history.PruneAsync(loaded!.Secret.Id, newest!, now));
        return await WithEditorAsync(actor, saved, loaded);
    }

    /// <summary>A change staged by <see cref="StageUpdatesAsync"/>: what to prune once it is saved.</summary>
    internal sealed record StagedUpdate(Guid SecretId, IReadOnlyDictionary<SecretEnvironment, int> Newest, DateTimeOffset At);

    /// <summary>
    /// <see cref="UpdateAsync"/>'s change for many secrets (an import): each is authorized, checked and changed as
    /// there, but all are loaded in one query per 1,000 and left unsaved for the caller's one SaveChanges, after which the
    /// caller calls <see cref="PruneAsync"/>. On the first refusal it answers that secret's index and refusal (the
    /// caller then writes nothing).
    /// </summary>
    internal async Task<(IReadOnlyList<StagedUpdate> Staged, int RefusedAt, Result<SavedSecret>? Refusal)> StageUpdatesAsync(CurrentUser actor,
        IReadOnlyList<(Guid Id, SecretChanges Changes)> updates)
    {
        var ids = updates.Select(u => u.Id).Distinct().ToList();
        var loaded = new Dictionary<Guid, Secret>();
        foreach (var chunk in ids.Chunk(1000))
            foreach (var secret in await db.Secrets.Include(s => s.Values).Where(s => s.OrganizationId == actor.OrganizationId && chunk.Contains(s.Id)).ToListAsync())
                loaded[secret.Id] = secret;
        var lastNumbers = await history.LastNumbersAsync(ids);
        var now = clock.GetUtcNow();
        var staged = new List<StagedUpdate>(updates.Count);
        for (var i = 0; i < updates.Count; i++)
        {
            var (result, newest) = await ChangeAsync(actor, loaded.GetValueOrDefault(updates[i].Id), updates[i].Changes, now, lastNumbers);
            if (!result.IsOk) return ([], i, result);
            staged.Add(new StagedUpdate(updates[i].Id, newest, now));
        }

        return (staged, -1, null);
    }

    internal async Task PruneAsync(IEnumerable<StagedUpdate> saved)
    {
        foreach (var update in saved) await history.PruneAsync(update.SecretId, update.Newest, update.At);
    }

    /// <summary>
    /// Authorizes, checks and changes the tracked <paramref name="secret"/> (null: not found) with its history and audit,
    /// unsaved; answers each changed environment's newest version number. <paramref name="lastNumbers"/>: the newest
    /// version numbers already read (<see cref="ValueHistory.LastNumbersAsync"/>); null: asked per environment.
    /// </summary>
    private async Task<(Result<SavedSecret> Result, Dictionary<SecretEnvironment, int> Newest)> ChangeAsync(CurrentUser actor, Secret? secret,
        SecretChanges changes, DateTimeOffset now, IReadOnlyDictionary<(Guid, SecretEnvironment), int>? lastNumbers)
    {
        var newest = new Dictionary<SecretEnvironment, int>();
        var name = SecretRules.NormalizeName(changes.Name);
        var description = changes.Description.Trim();
        if (secret is null || !await authorization.AllowsAsync(actor, secret, ResourceOperations.Update)) return (Result<SavedSecret>.NotFound(), newest);
        if (changes.Version != secret.Version) return (await StaleAsync(secret), newest);

        var set = changes.NewValues.Where(v => !string.IsNullOrEmpty(v.Value)).ToList();
        var errors = SecretRules.Check(name, description, set.Select(v => (v.Key, v.Value)));
        foreach (var environment in changes.Removed.Where(e => changes.NewValues.ContainsKey(e)))
            errors.Add(new FieldError(environment.ToString(), $"Either enter a new {environment} value or remove it, not both."));
        errors.AddRange(Warnings(set, changes.Confirmed));
        if (errors.Count > 0) return (Result<SavedSecret>.Invalid(errors), newest);
        if (name != secret.Name && await NameTakenAsync(actor.OrganizationId, name, exceptId: secret.Id)) return (Duplicate(name), newest);

        var removed = changes.Removed.Distinct().Where(secret.Has).ToList();
        var what = new List<string>();
        if (name != secret.Name) what.Add($"renamed from {secret.Name}");
        if (description != secret.Description) what.Add("description changed");
        if (set.Count > 0) what.Add($"values set: {Environments(set.Select(v => v.Key))}");
        // Nothing changed: no write, no audit event, no new version.
        if (what.Count == 0 && removed.Count == 0) return (Result<SavedSecret>.Ok(new SavedSecret(secret.Id, secret.Version) { Name = secret.Name, NothingChanged = true }), newest);

        secret.Name = name;
        secret.Description = description;
        foreach (var (environment, value) in set)
        {
            var encrypted = Encrypted(secret, environment, value, now);
            newest[environment] = await AppendAsync(environment, secret.ValueFor(environment), encrypted);
            Store(secret, environment, encrypted);
        }

        foreach (var environment in removed)
        {
            newest[environment] = await AppendAsync(environment, secret.ValueFor(environment), next: null);
            secret.Values.Remove(secret.ValueFor(environment)!);
            secret.SetPresence(environment, false);
        }

        secret.UpdateSharedProduction();
        Touch(secret, actor, now);
        if (what.Count > 0)
            audit.Record(AuditAction.SecretUpdated, AuditActor.Of(actor), string.Join("; ", what) + ".", secret.Id, secret.Name);
        if (removed.Count > 0)
            audit.Record(AuditAction.SecretValueRemoved, AuditActor.Of(actor), $"Values removed: {Environments(removed)}.", secret.Id, secret.Name);
        return (Saved(secret), newest);

        async Task<int> AppendAsync(SecretEnvironment environment, SecretValue? previous, SecretValue? next) => lastNumbers is null
            ? await history.AppendAsync(secret, environment, previous, next, actor.UserId, now)
            : history.Append(secret, environment, previous, next, actor.UserId, now, lastNumbers.GetValueOrDefault((secret.Id, environment)));
    }

    /// <summary>One environment's value history, for anyone who may read the secret; newest first, masks and fingerprints only.</summary>
    public async Task<Result<ValueHistoryView>> HistoryAsync(CurrentUser actor, Guid id, SecretEnvironment environment)
    {
        var secret = await FindAsync(actor, id, ResourceOperations.Read);
        if (secret is null) return Result<ValueHistoryView>.NotFound();
        var canRestore = await authorization.AllowsAsync(actor, secret, ResourceOperations.Update);
        return Result<ValueHistoryView>.Ok(new ValueHistoryView(secret.Id, environment, secret.Version, canRestore, await history.ListAsync(secret.Id, environment)));
    }

    /// <summary>The secret's latest audit events, for those who may change it (its owner, administrators).</summary>
    public async Task<Result<IReadOnlyList<AuditRow>>> AuditHistoryAsync(CurrentUser actor, Guid id)
    {
        var secret = await FindAsync(actor, id, ResourceOperations.Update);
        return secret is null ? Result<IReadOnlyList<AuditRow>>.NotFound() : Result<IReadOnlyList<AuditRow>>.Ok(await auditQueries.SecretHistoryAsync(secret.Id));
    }

    /// <summary>The secret, untracked, when it is in the actor's organization and the actor may do <paramref name="operation"/> to it.</summary>
    private async Task<Secret?> FindAsync(CurrentUser actor, Guid id, OperationAuthorizationRequirement operation)
    {
        var secret = await db.Secrets.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.OrganizationId == actor.OrganizationId);
        return secret is not null && await authorization.AllowsAsync(actor, secret, operation) ? secret : null;
    }

    /// <remarks>
    /// Makes version <paramref name="number"/> of <paramref name="environment"/> the current value again, as a new
    /// version. Its stored ciphertext, nonce and data key id are copied as they are: nothing is decrypted, and the value
    /// never leaves the database. Refused, like any save, when the secret changed since <paramref name="version"/>.
    /// </remarks>
    public async Task<Result<SavedSecret>> RestoreAsync(CurrentUser actor, Guid id, SecretEnvironment environment, int number, int version)
    {
        LoadedSecret? loaded = null;
        var saved = await SaveAsync(name: null, async () =>
        {
            loaded = await LoadAsync(actor, id);
            if (loaded is not { Secret: var secret } || !await authorization.AllowsAsync(actor, secret, ResourceOperations.Update)) return Result<SavedSecret>.NotFound();
            if (version != secret.Version) return await StaleAsync(secret);
            var source = await db.SecretValueVersions.AsNoTracking()
                .FirstOrDefaultAsync(v => v.SecretId == secret.Id && v.Environment == environment && v.Number == number);
            if (source is null)
                return Result<SavedSecret>.Invalid("", $"Version {number} of {environment} does not exist (any more). Reload the secret to see its history.");
            if (source.ToEncrypted() is not { } encrypted)
                return Result<SavedSecret>.Invalid("", $"Version {number} of {environment} is the removal of the value: to remove the value again, use Remove.");

            var now = clock.GetUtcNow();
            var restored = new SecretValue
            {
                SecretId = secret.Id, Environment = environment, KeyId = encrypted.KeyId, Nonce = encrypted.Nonce, Ciphertext = encrypted.Ciphertext,
                Mask = source.Mask ?? SecretMask.Hidden, Fingerprint = source.Fingerprint, UpdatedAt = now,
            };
            var newest = await history.AppendAsync(secret, environment, secret.ValueFor(environment), restored, actor.UserId, now, restoredFrom: number);
            Store(secret, environment, restored);
            secret.UpdateSharedProduction();
            Touch(secret, actor, now);
            audit.Record(AuditAction.SecretValueRestored, AuditActor.Of(actor), $"Restored version {number} of {environment}.", secret.Id, secret.Name);
            await db.SaveChangesAsync();
            await history.PruneAsync(secret.Id, new Dictionary<SecretEnvironment, int> { [environment] = newest }, now);
            return Saved(secret);
        });
        return await WithEditorAsync(actor, saved, loaded);
    }

    public async Task<Result<SavedSecret>> TransferOwnershipAsync(CurrentUser actor, Guid id, Guid newOwnerId, int version)
    {
        LoadedSecret? loaded = null;
        var saved = await SaveAsync(name: null, async () =>
        {
            loaded = await LoadAsync(actor, id);
            if (loaded is not { Secret: var secret } || !await authorization.AllowsAsync(actor, secret, ResourceOperations.TransferOwnership)) return Result<SavedSecret>.NotFound();
            if (version != secret.Version) return await StaleAsync(secret);
            var ownerIsMember = await db.Users.AnyAsync(u => u.Id == newOwnerId && u.OrganizationId == actor.OrganizationId && u.IsActive);
            if (!ownerIsMember) return Result<SavedSecret>.Invalid("NewOwnerId", ChooseOwnerMessage);

            var names = await db.Users.Where(u => u.Id == newOwnerId || u.Id == secret.OwnerId).ToDictionaryAsync(u => u.Id, u => u.DisplayName);
            Transfer(secret, actor, newOwnerId, names, clock.GetUtcNow());
            await db.SaveChangesAsync();
            loaded = loaded with { Owner = names[newOwnerId] };
            return Saved(secret);
        });
        return await WithEditorAsync(actor, saved, loaded);
    }

    /// <summary>
    /// Moves the secret to the organization's Trash (<see cref="TrashService"/>): it leaves the grid, the editor and every
    /// name lookup, its name is free again, and its values stay encrypted as they are until it is restored or purged.
    /// Answers its name.
    /// </summary>
    public async Task<Result<string>> DeleteAsync(CurrentUser actor, Guid id, string? confirmation)
    {
        // The server insists on the typed confirmation too: a forged or scripted request cannot skip it.
        if (confirmation != SecretRules.DeleteConfirmation) return Result<string>.Invalid("Confirm", ConfirmDeleteMessage);
        return await db.InTransactionAsync(async () =>
        {
            var secret = (await LoadAsync(actor, id))?.Secret;
            if (secret is null || !await authorization.AllowsAsync(actor, secret, ResourceOperations.Delete)) return Result<string>.NotFound();
            MoveToTrash(secret, actor, clock.GetUtcNow());
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateConcurrencyException)
            {
                return Result<string>.Conflict("Someone else changed this secret at the same moment. Nothing was deleted: reload it and try again.");
            }

            return Result<string>.Ok(secret.Name);
        });
    }

    /// <summary>Gives the (tracked, authorized) secret to <paramref name="newOwnerId"/>, with its audit event; <paramref name="names"/> holds both owners' display names.</summary>
    internal void Transfer(Secret secret, CurrentUser actor, Guid newOwnerId, IReadOnlyDictionary<Guid, string> names, DateTimeOffset now)
    {
        audit.Record(AuditAction.OwnershipTransferred, AuditActor.Of(actor), $"Owner changed from {names.GetValueOrDefault(secret.OwnerId)} to {names[newOwnerId]}.",
            secret.Id, secret.Name, newOwnerId, names[newOwnerId]);
        secret.OwnerId = newOwnerId;
        Touch(secret, actor, now);
    }

    /// <summary>Moves the (tracked, authorized) secret to the Trash, with its audit event.</summary>
    internal void MoveToTrash(Secret secret, CurrentUser actor, DateTimeOffset now)
    {
        secret.DeletedAt = now;
        secret.DeletedById = actor.UserId;
        Touch(secret, actor, now);
        var environments = Enum.GetValues<SecretEnvironment>().Where(secret.Has);
        audit.Record(AuditAction.SecretTrashed, AuditActor.Of(actor), $"Moved to the trash with its values: {Environments(environments)}.", secret.Id, secret.Name);
    }

    /// <summary>
    /// Runs a write in one transaction and turns what the database says into results: a refusal by the unique index on
    /// secrets' names is the duplicate-name message (also when two people create one name at the same moment); a
    /// concurrency refusal, or any other unique-index refusal (another writer added the same value or version first), is a
    /// conflict.
    /// </summary>
    private async Task<Result<SavedSecret>> SaveAsync(string? name, Func<Task<Result<SavedSecret>>> write) =>
        await db.InTransactionAsync(async () =>
        {
            try
            {
                await cipher.UseActiveKeyAsync(db);
                return await write();
            }
            catch (DbUpdateConcurrencyException)
            {
                return SavedAtTheSameMoment();
            }
            catch (Exception e) when (name is not null && DbErrors.IsUniqueViolationOn(e, nameof(ZiggyDbContext.Secrets)))
            {
                return Duplicate(name);
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                // On PostgreSQL writers do not queue: two saves added the same value or version number, and the other committed.
                return SavedAtTheSameMoment();
            }
        });

    /// <summary>
    /// A write whose reads, checks and encryption do not hold the database's one writer: <paramref name="stage"/> loads,
    /// authorizes, checks and changes the tracked entities (unsaved) before the transaction, which then only saves them
    /// and runs <paramref name="afterSave"/>. A change that happened in between cannot be overwritten: the secret's
    /// <see cref="Secret.Version"/> is the save's concurrency token and every change the app makes to a secret, its
    /// values, its owner or its history raises it, so the save's update of the secret then matches no row and nothing is
    /// written (a conflict). A <c>rotate-key</c> run re-encrypts values without changing them; a value it re-encrypted
    /// meanwhile is replaced by the save's new one; a value from before history existed, which the stage copies into
    /// history as it loaded it, may keep the older key there (data keys are never removed; <c>rotate-key</c> run again
    /// moves it).
    /// The stage runs again inside the transaction when the active data key changed meanwhile (a <c>rotate-key</c> run:
    /// the new values must be under the key the transaction sees) and when the transaction is attempted again
    /// (PostgreSQL). A refusal, or a save that changes nothing, never starts a transaction.
    /// </summary>
    private async Task<Result<SavedSecret>> SaveStagedAsync(string? name, Func<DateTimeOffset, Task<Result<SavedSecret>>> stage, Func<DateTimeOffset, Task> afterSave)
    {
        var keyId = cipher.ActiveKeyId;
        var now = clock.GetUtcNow();
        var staged = await stage(now);
        if (!staged.IsOk || staged.Value!.NothingChanged) return staged;
        var attempts = 0;
        return await SaveAsync(name, async () =>
        {
            // SaveAsync has just asked for the active key, inside the transaction.
            if (attempts++ > 0 || cipher.ActiveKeyId != keyId)
            {
                db.ChangeTracker.Clear();
                now = clock.GetUtcNow();
                staged = await stage(now);
                if (!staged.IsOk || staged.Value!.NothingChanged) return staged;
            }

            await db.SaveChangesAsync();
            await afterSave(now);
            return staged;
        });
    }

    private static Result<SavedSecret> Saved(Secret secret) => Result<SavedSecret>.Ok(new SavedSecret(secret.Id, secret.Version) { Name = secret.Name });

    private static Result<SavedSecret> SavedAtTheSameMoment() =>
        Result<SavedSecret>.Conflict("Someone else saved this secret at the same moment. Your changes were not saved: reload it and try again.");

    private static Result<SavedSecret> Duplicate(string name) => Result<SavedSecret>.Invalid("Name", SecretRules.DuplicateNameMessage(name));

    private async Task<Result<SavedSecret>> StaleAsync(Secret secret)
    {
        var who = await db.Users.Where(u => u.Id == secret.UpdatedById).Select(u => u.DisplayName).FirstOrDefaultAsync() ?? "Someone";
        return Result<SavedSecret>.Conflict(
            $"{who} changed this secret at {secret.UpdatedAt:yyyy-MM-dd HH:mm:ss} UTC, after you opened it. " +
            "Your changes were not saved; they are still in the form. Reload the secret to see the new version, then apply them again.");
    }

    internal Task<bool> NameTakenAsync(Guid organizationId, string name, Guid? exceptId) =>
        db.Secrets.AnyAsync(s => s.OrganizationId == organizationId && s.Name == name && s.Id != exceptId);

    /// <summary>The secret to change, transfer or delete, tracked, with its values and the names the editor shows beside them.</summary>
    private async Task<LoadedSecret?> LoadAsync(CurrentUser actor, Guid id) => await Tracked.For(db)(db, id, actor.OrganizationId).FirstOrDefaultAsync();

    /// <summary>
    /// A committed write's result with the editor's view as the write left the secret (the actor changed it last), drawn
    /// from its load after the transaction ended, so the database is not held for it; any other result as it is.
    /// </summary>
    private async Task<Result<SavedSecret>> WithEditorAsync(CurrentUser actor, Result<SavedSecret> saved, LoadedSecret? loaded)
    {
        if (!saved.IsOk || saved.Value!.NothingChanged || loaded is null) return saved;
        var secret = loaded.Secret;
        var faces = secret.Values.Select(v => new StoredValueFace(v.Environment, v.Mask, v.Fingerprint)).ToList();
        var editor = await DetailsAsync(actor, new StoredSecret(secret, loaded.Owner, loaded.CreatedBy, actor.DisplayName, faces));
        return Result<SavedSecret>.Ok(saved.Value with { Editor = editor });
    }

    private async Task<SecretDetails> DetailsAsync(CurrentUser actor, StoredSecret stored)
    {
        var secret = stored.Secret;
        var canModify = await authorization.AllowsAsync(actor, secret, ResourceOperations.Update);
        return new SecretDetails(
            secret.Id, secret.Name, secret.Description, secret.Version, secret.OwnerId,
            stored.Owner, secret.CreatedAt, stored.CreatedBy, secret.UpdatedAt, stored.UpdatedBy, stored.Masks,
            canModify,
            CanTransfer: await authorization.AllowsAsync(actor, secret, ResourceOperations.TransferOwnership),
            (await UsedBy.For(db)(db, actor.OrganizationId, secret.Name).ToListAsync()).Order(StringComparer.OrdinalIgnoreCase).ToList(),
            stored.Fingerprints,
            secret.ProductionMatchesOther);
    }

    /// <summary>Puts <paramref name="value"/> in place of the environment's stored value (tracked), or adds it.</summary>
    private static void Store(Secret secret, SecretEnvironment environment, SecretValue value)
    {
        if (secret.ValueFor(environment) is { } stored)
        {
            stored.KeyId = value.KeyId;
            stored.Nonce = value.Nonce;
            stored.Ciphertext = value.Ciphertext;
            stored.Mask = value.Mask;
            stored.Fingerprint = value.Fingerprint;
            stored.UpdatedAt = value.UpdatedAt;
        }
        else secret.Values.Add(value);

        secret.SetPresence(environment, true);
    }

    /// <summary>A warning for each new value that looks accidental, unless the person confirmed that environment.</summary>
    private static IEnumerable<FieldError> Warnings(IEnumerable<KeyValuePair<SecretEnvironment, string>> values, IReadOnlyCollection<SecretEnvironment> confirmed) =>
        values.Where(v => !confirmed.Contains(v.Key))
            .Select(v => (v.Key, Warning: SecretRules.ValueWarning(v.Key, v.Value)))
            .Where(w => w.Warning is not null)
            .Select(w => new FieldError(SecretRules.ConfirmField(w.Key), w.Warning!));

    /// <summary>The stored form of <paramref name="value"/> for one environment of the secret: encrypted for that place, with its mask.</summary>
    private SecretValue Encrypted(Secret secret, SecretEnvironment environment, string value, DateTimeOffset now)
    {
        var encrypted = cipher.Encrypt(value, new ValuePlace(secret.OrganizationId, secret.Id, secret.Name, environment));
        return new SecretValue
        {
            SecretId = secret.Id, Environment = environment, KeyId = encrypted.KeyId, Nonce = encrypted.Nonce,
            Ciphertext = encrypted.Ciphertext, Mask = SecretMask.For(value), Fingerprint = cipher.Fingerprint(value), UpdatedAt = now,
        };
    }

    internal static string Environments(IEnumerable<SecretEnvironment> environments)
    {
        var list = environments.Order().ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    private static void Touch(Secret secret, CurrentUser actor, DateTimeOffset now)
    {
        secret.UpdatedAt = now;
        secret.UpdatedById = actor.UserId;
        secret.Version++;
    }
}
