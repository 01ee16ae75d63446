using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

public sealed class TrashOptions
{
    public const string Section = "Ziggy:Trash";

    /// <summary>How many days a deleted secret stays in the Trash before it is purged for good.</summary>
    public int KeepDays { get; set; } = 30;
}

/// <summary>A secret in the Trash, as the Trash page lists it: names and dates, never a value or a mask.</summary>
public sealed record TrashItem(Guid Id, Guid OrganizationId, Guid OwnerId, string Name, string Owner, string DeletedBy, DateTimeOffset DeletedAt, DateTimeOffset PurgeAt)
    : IOwnedResource;

/// <summary>
/// The organization's Trash: the secrets <see cref="SecretService.DeleteAsync"/> moved there, which their owner or an
/// administrator may restore or delete for good, and which are purged <see cref="TrashOptions.KeepDays"/> days after
/// deletion. The only service that asks for trashed secrets (IgnoreQueryFilters), always with "DeletedAt is set".
/// </summary>
public sealed class TrashService(
    ZiggyDbContext db, SecretService secrets, IAuthorizationService authorization, AuditTrail audit, TimeProvider clock, IOptions<TrashOptions> options)
{
    public static string NameTakenMessage(string name) =>
        $"A secret named {name} exists again, so this one cannot have its name back. Restore it under a new name.";

    private TimeSpan Keep => TimeSpan.FromDays(options.Value.KeepDays);

    /// <summary>The trashed secrets <paramref name="actor"/> may restore or delete: their own, or all of them for an administrator. Newest first.</summary>
    public async Task<IReadOnlyList<TrashItem>> ListAsync(CurrentUser actor)
    {
        var keep = Keep;
        var rows = await Trashed(actor.OrganizationId).AsNoTracking()
            .OrderByDescending(s => s.DeletedAt).ThenBy(s => s.Name)
            .Select(s => new { s.Id, s.OrganizationId, s.OwnerId, s.Name, Owner = s.Owner!.DisplayName, DeletedBy = s.DeletedBy!.DisplayName, DeletedAt = s.DeletedAt!.Value })
            .ToListAsync();
        var items = new List<TrashItem>(rows.Count);
        foreach (var row in rows)
        {
            var item = new TrashItem(row.Id, row.OrganizationId, row.OwnerId, row.Name, row.Owner, row.DeletedBy, row.DeletedAt, row.DeletedAt + keep);
            if (await authorization.AllowsAsync(actor, item, ResourceOperations.Delete)) items.Add(item);
        }

        return items;
    }

    /// <summary>
    /// Takes a secret out of the Trash, under its own name or, when <paramref name="newName"/> is given, under that one
    /// (checked like any name). Refused while another secret has the name. Answers the name it has now. The values come back as they were stored:
    /// their ciphertext is bound to the secret's id, not its name, so nothing is decrypted.
    /// </summary>
    public async Task<Result<string>> RestoreAsync(CurrentUser actor, Guid id, string? newName)
    {
        var renaming = !string.IsNullOrWhiteSpace(newName);
        var name = SecretRules.NormalizeName(newName);
        if (renaming && SecretRules.Check(name, "", []) is { Count: > 0 } errors) return Result<string>.Invalid(errors);

        return await db.InTransactionAsync(async () =>
        {
            var secret = await Trashed(actor.OrganizationId).FirstOrDefaultAsync(s => s.Id == id);
            if (secret is null || !await authorization.AllowsAsync(actor, secret, ResourceOperations.Update)) return Result<string>.NotFound();
            if (!renaming) name = secret.Name;
            var taken = () => Result<string>.Invalid("Name", renaming ? SecretRules.DuplicateNameMessage(name) : NameTakenMessage(name));
            if (await secrets.NameTakenAsync(actor.OrganizationId, name, exceptId: secret.Id)) return taken();

            var details = name == secret.Name ? "Restored from the trash." : $"Restored from the trash as {name} (it was {secret.Name}).";
            var now = clock.GetUtcNow();
            secret.Name = name;
            secret.DeletedAt = null;
            secret.DeletedById = null;
            secret.UpdatedAt = now;
            secret.UpdatedById = actor.UserId;
            secret.Version++;
            audit.Record(AuditAction.SecretRestoredFromTrash, AuditActor.Of(actor), details, secret.Id, secret.Name);
            try
            {
                await db.SaveChangesAsync();
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                return taken();
            }
            catch (DbUpdateConcurrencyException)
            {
                return Result<string>.Conflict("Someone else restored or deleted this secret at the same moment. Reload the trash.");
            }

            return Result<string>.Ok(secret.Name);
        });
    }

    /// <summary>Deletes a trashed secret and its values for good (typing "delete" confirms it, also for a scripted request). Answers its name.</summary>
    public async Task<Result<string>> DeletePermanentlyAsync(CurrentUser actor, Guid id, string? confirmation)
    {
        if (confirmation != SecretRules.DeleteConfirmation) return Result<string>.Invalid("Confirm", SecretService.ConfirmDeleteMessage);
        var result = await db.InTransactionAsync(async () =>
        {
            var secret = await Trashed(actor.OrganizationId).Include(s => s.Values).FirstOrDefaultAsync(s => s.Id == id);
            if (secret is null || !await authorization.AllowsAsync(actor, secret, ResourceOperations.Delete)) return Result<string>.NotFound();
            audit.Record(AuditAction.SecretPermanentlyDeleted, AuditActor.Of(actor),
                $"Deleted for good from the trash with its values: {SecretService.Environments(secret.Values.Select(v => v.Environment))}.", secret.Id, secret.Name);
            return await RemoveAsync(secret) ? Result<string>.Ok(secret.Name) : Result<string>.NotFound();
        });
        if (result.IsOk) await SecureDelete.FlushAsync(db);
        return result;
    }

    /// <summary>
    /// Purges every secret that has been in the Trash for <see cref="TrashOptions.KeepDays"/> days, one transaction
    /// each, audited. Safe to run on several instances at once: each one re-reads the secret inside its transaction and
    /// skips what another has purged already. Answers how many this call purged.
    /// </summary>
    public async Task<int> PurgeDueAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow() - Keep;
        var due = await db.Secrets.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.DeletedAt != null && s.DeletedAt <= cutoff)
            .Select(s => new { s.Id, s.OrganizationId }).ToListAsync(cancellationToken);
        var purged = 0;
        foreach (var candidate in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await db.InTransactionAsync(async () =>
            {
                var secret = await Trashed(candidate.OrganizationId).Include(s => s.Values)
                    .FirstOrDefaultAsync(s => s.Id == candidate.Id && s.DeletedAt <= cutoff, cancellationToken);
                if (secret is null) return Result<bool>.NotFound();
                audit.Record(AuditAction.SecretPurged, new AuditActor(null, "Trash purge", secret.OrganizationId),
                    $"Purged {options.Value.KeepDays} days after it was deleted, with its values: {SecretService.Environments(secret.Values.Select(v => v.Environment))}.",
                    secret.Id, secret.Name);
                return await RemoveAsync(secret) ? Result<bool>.Ok(true) : Result<bool>.NotFound();
            });
            db.ChangeTracker.Clear();
            if (result.IsOk) purged++;
        }

        if (purged > 0) await SecureDelete.FlushAsync(db);
        return purged;
    }

    private IQueryable<Secret> Trashed(Guid organizationId) =>
        db.Secrets.IgnoreQueryFilters().Where(s => s.OrganizationId == organizationId && s.DeletedAt != null);

    /// <summary>Deletes the row (its values and history go with it); false when another writer deleted it first.</summary>
    private async Task<bool> RemoveAsync(Secret secret)
    {
        db.Secrets.Remove(secret);
        try
        {
            await db.SaveChangesAsync();
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }
}
