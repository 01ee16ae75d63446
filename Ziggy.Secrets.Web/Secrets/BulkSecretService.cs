using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>What the bulk delete dialog shows: the selected secrets' names and the integrations that use any of them.</summary>
public sealed record BulkSelection(IReadOnlyList<Guid> Ids, IReadOnlyList<string> Names, IReadOnlyList<BulkIntegrationUse> Integrations);

/// <summary>An integration that stops working once <see cref="SecretNames"/> are gone.</summary>
public sealed record BulkIntegrationUse(string Name, IReadOnlyList<string> SecretNames);

/// <summary>What a bulk change did: how many secrets it changed.</summary>
public sealed record BulkDone(int Count);

/// <summary>
/// Changes of several secrets at once, made of the single changes of <see cref="SecretService"/>: every selected secret is
/// loaded scoped to the caller's organization and authorized as it is stored, exactly as a single change would be. One
/// refusal refuses the whole selection, naming what was refused, and nothing is written; otherwise all change in one
/// transaction with one audit event per secret.
/// </summary>
public sealed class BulkSecretService(ZiggyDbContext db, SecretService secrets, IAuthorizationService authorization, TimeProvider clock)
{
    public const int MaxSelection = 5000;
    public const string EmptySelectionMessage = "Select at least one secret.";

    public static string TooManyMessage(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"Select at most {MaxSelection:N0} secrets at a time (you selected {count:N0}).");

    /// <summary>The delete dialog's content: the selected secrets (when the caller may delete each) and the integrations using them.</summary>
    public Task<Result<BulkSelection>> DeletePreviewAsync(CurrentUser actor, IReadOnlyCollection<Guid> ids) => PreviewAsync(actor, ids, ResourceOperations.Delete);

    /// <summary>The transfer dialog's content: the selected secrets, when the caller may transfer each.</summary>
    public Task<Result<BulkSelection>> TransferPreviewAsync(CurrentUser actor, IReadOnlyCollection<Guid> ids) => PreviewAsync(actor, ids, ResourceOperations.TransferOwnership);

    private async Task<Result<BulkSelection>> PreviewAsync(CurrentUser actor, IReadOnlyCollection<Guid> ids, OperationAuthorizationRequirement operation)
    {
        var loaded = await LoadAsync(actor, ids, operation, tracked: false);
        if (!loaded.IsOk) return loaded.As<BulkSelection>();
        var found = loaded.Value!;
        var names = found.Select(s => s.Name).ToList();
        var uses = await db.Integrations.AsNoTracking()
            .Where(i => i.OrganizationId == actor.OrganizationId && i.References.Any(r => names.Contains(r.SecretName)))
            .OrderBy(i => i.Name)
            .Select(i => new { i.Name, Secrets = i.References.Where(r => names.Contains(r.SecretName)).Select(r => r.SecretName).ToList() })
            .ToListAsync();
        return Result<BulkSelection>.Ok(new BulkSelection(
            [.. found.Select(s => s.Id)], names, [.. uses.Select(u => new BulkIntegrationUse(u.Name, [.. u.Secrets.Order(StringComparer.Ordinal)]))]));
    }

    /// <summary>Moves every selected secret to the Trash, as <see cref="SecretService.DeleteAsync"/> does one.</summary>
    public async Task<Result<BulkDone>> DeleteAsync(CurrentUser actor, IReadOnlyCollection<Guid> ids, string? confirmation)
    {
        // The typed confirmation is checked here too: a forged or scripted request cannot skip it.
        if (confirmation != SecretRules.DeleteConfirmation) return Result<BulkDone>.Invalid("Confirm", SecretService.ConfirmDeleteMessage);
        return await WriteAsync(async () =>
        {
            var loaded = await LoadAsync(actor, ids, ResourceOperations.Delete, tracked: true);
            if (!loaded.IsOk) return loaded.As<BulkDone>();
            var now = clock.GetUtcNow();
            foreach (var secret in loaded.Value!) secrets.MoveToTrash(secret, actor, now);
            await db.SaveChangesAsync();
            return Result<BulkDone>.Ok(new BulkDone(loaded.Value!.Count));
        });
    }

    /// <summary>Gives every selected secret to <paramref name="newOwnerId"/>, an active member of the organization, as <see cref="SecretService.TransferOwnershipAsync"/> does one.</summary>
    public async Task<Result<BulkDone>> TransferOwnershipAsync(CurrentUser actor, IReadOnlyCollection<Guid> ids, Guid newOwnerId) =>
        await WriteAsync(async () =>
        {
            var loaded = await LoadAsync(actor, ids, ResourceOperations.TransferOwnership, tracked: true);
            if (!loaded.IsOk) return loaded.As<BulkDone>();
            var ownerIsMember = await db.Users.AnyAsync(u => u.Id == newOwnerId && u.OrganizationId == actor.OrganizationId && u.IsActive);
            if (!ownerIsMember) return Result<BulkDone>.Invalid("NewOwnerId", SecretService.ChooseOwnerMessage);

            var people = loaded.Value!.Select(s => s.OwnerId).Append(newOwnerId).Distinct().ToList();
            var names = await db.Users.Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName);
            var now = clock.GetUtcNow();
            foreach (var secret in loaded.Value!) secrets.Transfer(secret, actor, newOwnerId, names, now);
            await db.SaveChangesAsync();
            return Result<BulkDone>.Ok(new BulkDone(loaded.Value!.Count));
        });

    /// <summary>
    /// The selected secrets of the caller's organization, each authorized for <paramref name="operation"/>; Invalid, naming
    /// the refused ones, when any is refused. An id that is unknown, trashed or of another organization is refused too,
    /// only counted: naming or distinguishing it would tell which ids exist.
    /// </summary>
    private async Task<Result<List<Secret>>> LoadAsync(CurrentUser actor, IReadOnlyCollection<Guid> ids, OperationAuthorizationRequirement operation, bool tracked)
    {
        var wanted = ids.Distinct().ToList();
        if (wanted.Count == 0) return Result<List<Secret>>.Invalid("", EmptySelectionMessage);
        if (wanted.Count > MaxSelection) return Result<List<Secret>>.Invalid("", TooManyMessage(wanted.Count));

        var query = db.Secrets.Where(s => s.OrganizationId == actor.OrganizationId && wanted.Contains(s.Id));
        var found = await (tracked ? query : query.AsNoTracking()).OrderBy(s => s.Name).ToListAsync();
        var refused = new List<string>();
        foreach (var secret in found)
        {
            if (!await authorization.AllowsAsync(actor, secret, operation)) refused.Add(secret.Name);
        }

        var unknown = wanted.Count - found.Count;
        if (refused.Count == 0 && unknown == 0) return Result<List<Secret>>.Ok(found);

        var errors = new List<FieldError>();
        var verb = operation == ResourceOperations.Delete ? "delete" : "transfer";
        if (refused.Count > 0)
            errors.Add(new FieldError("", $"Nothing was changed: you may not {verb} {refused.Count} of the selected secrets: {string.Join(", ", refused)}."));
        if (unknown > 0)
            errors.Add(new FieldError("", $"Nothing was changed: {unknown} of the selected secrets no longer exist{(unknown == 1 ? "s" : "")}. Reload the page and select again."));
        return Result<List<Secret>>.Invalid(errors);
    }

    private async Task<Result<BulkDone>> WriteAsync(Func<Task<Result<BulkDone>>> write) =>
        await db.InTransactionAsync(async () =>
        {
            try
            {
                return await write();
            }
            catch (DbUpdateConcurrencyException)
            {
                return Result<BulkDone>.Conflict("Someone else changed one of these secrets at the same moment. Nothing was changed: try again.");
            }
        });
}
