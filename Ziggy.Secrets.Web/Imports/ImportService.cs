using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;
using Secret = Ziggy.Secrets.Web.Secrets.Secret;

namespace Ziggy.Secrets.Web.Imports;

public enum ImportAction
{
    Create,
    Update,
    Unchanged,
    InvalidName,
    NotAllowed,
}

/// <summary>
/// One entry of a preview: what applying it would do, the mask of its new value (never the value), why its name is
/// refused and the fix offered, and a warning about whitespace or invisible characters in the value.
/// </summary>
public sealed record ImportRow(string Name, ImportAction Action, string Mask, int Line, string? Problem = null, string? Suggestion = null,
    ImportAction? SuggestionAction = null, string? Warning = null)
{
    public bool Selectable => Action is ImportAction.Create or ImportAction.Update || SuggestionAction is ImportAction.Create or ImportAction.Update;
}

/// <summary>
/// A preview. <see cref="Token"/> is what Apply needs besides the same text: encrypted and signed by the server, bound
/// to the person, organization, environment, format and text, valid for <see cref="ImportService.PreviewLifetime"/>, and
/// holding each existing secret's version as the preview saw it. It holds no value.
/// </summary>
public sealed record ImportPreview(string Token, ImportFormat Format, SecretEnvironment Environment, IReadOnlyList<ImportRow> Rows, IReadOnlyList<ImportNote> Notes)
{
    public int Count(ImportAction action) => Rows.Count(r => r.Action == action);
}

/// <summary>The rows to write (by name) and the invalid names whose suggested fix is accepted.</summary>
public sealed record ImportSelection(IReadOnlyCollection<string> Names, IReadOnlyCollection<string> AcceptedSuggestions);

public sealed record ImportOutcome(SecretEnvironment Environment, IReadOnlyList<string> Created, IReadOnlyList<string> Updated, int Unchanged);

/// <summary>
/// Imports many secrets into one environment: a preview computed from the text, then an apply of the selected rows in
/// one transaction through <see cref="SecretService"/>'s own writes (encryption, fingerprint, history, mask, audit).
/// The text travels twice from the browser (preview, apply) and is never stored, logged or sent back; between the two
/// the server keeps nothing, so any instance can answer either request.
/// </summary>
public sealed class ImportService(
    ZiggyDbContext db, SecretService secrets, ISecretCipher cipher, IAuthorizationService authorization, AuditTrail audit,
    IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan PreviewLifetime = TimeSpan.FromMinutes(30);
    public const string PreviewAgainMessage = "This preview is no longer valid (it expired, or belongs to another import). Preview the import again.";
    public const string TextChangedMessage = "The text, environment or format changed since the preview. Preview the import again.";

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("Ziggy.Secrets.Import.Preview.v1").ToTimeLimitedDataProtector();

    private sealed record Existing(Secret Secret, byte[]? Fingerprint);

    private sealed record TokenBody(Guid User, Guid Organization, SecretEnvironment Environment, ImportFormat Format, string Text, Dictionary<string, int> Versions);

    public async Task<Result<ImportPreview>> PreviewAsync(CurrentUser actor, string? text, ImportFormat format, SecretEnvironment environment)
    {
        if (Refusal(text, format, environment) is { } refusal) return refusal.As<ImportPreview>();
        var parsed = ImportParser.Parse(text, format);
        // Past a limit: the one note says which, and nothing else is computed.
        if (parsed.Refused) return Result<ImportPreview>.Invalid("Text", Capitalized(parsed.Notes[0].Message));

        var existing = await ExistingAsync(actor, parsed.Entries, environment);
        var rows = new List<ImportRow>(parsed.Entries.Count);
        foreach (var entry in parsed.Entries) rows.Add(await RowAsync(actor, entry, environment, existing));

        var versions = existing.ToDictionary(e => e.Key, e => e.Value.Secret.Version, StringComparer.Ordinal);
        var token = Protect(new TokenBody(actor.UserId, actor.OrganizationId, environment, parsed.Format, TextHash(text!), versions));
        return Result<ImportPreview>.Ok(new ImportPreview(token, parsed.Format, environment, rows, parsed.Notes));
    }

    /// <remarks>
    /// All or nothing: a secret created, changed or removed since the preview (its version differs from the one the
    /// token holds), a refused write or a name taken twice stops the whole import, and the message names the secrets.
    /// </remarks>
    public async Task<Result<ImportOutcome>> ApplyAsync(CurrentUser actor, string? text, ImportFormat format, SecretEnvironment environment, string? token,
        ImportSelection selection)
    {
        if (Refusal(text, format, environment) is { } refusal) return refusal.As<ImportOutcome>();
        if (Unprotect(token) is not { } body || body.User != actor.UserId || body.Organization != actor.OrganizationId)
            return Result<ImportOutcome>.Invalid("", PreviewAgainMessage);
        var parsed = ImportParser.Parse(text, format);
        if (body.Environment != environment || body.Format != parsed.Format || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(body.Text), Encoding.ASCII.GetBytes(TextHash(text!))))
            return Result<ImportOutcome>.Invalid("", TextChangedMessage);

        var entries = parsed.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var unknown = selection.Names.Concat(selection.AcceptedSuggestions).Where(n => !entries.ContainsKey(n)).Distinct().ToList();
        if (unknown.Count > 0) return Result<ImportOutcome>.Invalid("", $"Not in this import: {Names(unknown)}. Preview the import again.");

        // Each selected entry and the name it is written under: its own, or its accepted suggestion.
        var targets = new List<(ImportEntry Entry, string Name)>();
        var errors = new List<FieldError>();
        foreach (var name in selection.Names.Distinct().Where(entries.ContainsKey))
        {
            var entry = entries[name];
            if (ImportNames.Problem(name) is null) targets.Add((entry, name));
            else if (selection.AcceptedSuggestions.Contains(name) && ImportNames.Suggest(name) is { } suggestion) targets.Add((entry, suggestion));
            else errors.Add(new("", $"{name} breaks the naming rule: accept the suggested name or deselect it."));
        }

        foreach (var twice in targets.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add(new("", $"{twice.Key} would be written twice ({Names(twice.Select(t => t.Entry.Name))}): deselect all but one."));
        if (errors.Count > 0) return Result<ImportOutcome>.Invalid(errors);
        if (targets.Count == 0) return Result<ImportOutcome>.Invalid("", "Select at least one row to import.");

        return await db.InTransactionAsync(async () =>
        {
            try
            {
                await cipher.UseActiveKeyAsync(db);
                return await WriteAsync(actor, environment, body.Versions, targets);
            }
            catch (DbUpdateConcurrencyException)
            {
                return Result<ImportOutcome>.Conflict("Someone changed one of these secrets at the same moment. Nothing was imported: preview the import again.");
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                return Result<ImportOutcome>.Conflict("Someone created one of these secrets at the same moment. Nothing was imported: preview the import again.");
            }
        });
    }

    // A few hundred: larger chunks raise the app's peak memory during a large import without making it faster.
    private const int WriteChunk = 250;

    private async Task<Result<ImportOutcome>> WriteAsync(CurrentUser actor, SecretEnvironment environment, IReadOnlyDictionary<string, int> versions,
        List<(ImportEntry Entry, string Name)> targets)
    {
        var existing = await ExistingAsync(actor, targets.Select(t => t.Name), environment);
        var stale = targets.Where(t => existing.TryGetValue(t.Name, out var found)
                ? !versions.TryGetValue(t.Name, out var version) || version != found.Secret.Version
                : versions.ContainsKey(t.Name))
            .Select(t => t.Name).ToList();
        if (stale.Count > 0)
            return Result<ImportOutcome>.Conflict(
                $"Changed by someone since the preview: {Names(stale)}. Nothing was imported: preview the import again to see the current state.");

        var refused = new List<string>();
        foreach (var (_, name) in targets)
            if (existing.TryGetValue(name, out var found) && !await authorization.AllowsAsync(actor, found.Secret, ResourceOperations.Update))
                refused.Add(name);
        if (refused.Count > 0)
            return Result<ImportOutcome>.Conflict($"You may not change {Names(refused)}. Nothing was imported: deselect them and apply again.");

        var created = new List<string>();
        var updated = new List<string>();
        var unchanged = 0;
        // Updates and new secrets are staged through the editor's own rules and all saved at once (no other secret can
        // take the new names: the transaction holds the database's writer, and ExistingAsync read inside it which names exist).
        var updates = new List<(string Name, Guid Id, SecretChanges Changes)>();
        foreach (var (entry, name) in targets.Where(t => existing.ContainsKey(t.Name)))
        {
            var found = existing[name];
            if (found.Fingerprint is { } stored && CryptographicOperations.FixedTimeEquals(stored, cipher.Fingerprint(entry.Value)))
            {
                unchanged++;
                continue;
            }

            updates.Add((name, found.Secret.Id,
                new SecretChanges(found.Secret.Version, found.Secret.Name, found.Secret.Description, Value(entry)) { Confirmed = [environment] }));
        }

        // Written WriteChunk secrets at a time inside the one transaction, the change tracker emptied after each: an import
        // of thousands of secrets does not hold every new row, its history and its audit event in memory at once. A
        // refusal part-way returns before the commit, so nothing is kept.
        var stagedUpdates = new List<SecretService.StagedUpdate>(updates.Count);
        foreach (var chunk in updates.Chunk(WriteChunk))
        {
            var (staged, refusedAt, refusal) = await secrets.StageUpdatesAsync(actor, [.. chunk.Select(u => (u.Id, u.Changes))]);
            if (refusal is not null) return Refused(chunk[refusedAt].Name, refusal);
            stagedUpdates.AddRange(staged);
            await SaveChunkAsync();
        }

        updated.AddRange(updates.Select(u => u.Name));
        foreach (var chunk in targets.Where(t => !existing.ContainsKey(t.Name)).Chunk(WriteChunk))
        {
            foreach (var (entry, name) in chunk)
            {
                var staged = secrets.StageNew(actor, new SecretDraft(name, "", Value(entry)) { Confirmed = [environment] });
                if (!staged.IsOk) return Refused(name, staged);
                created.Add(name);
            }

            await SaveChunkAsync();
        }

        async Task SaveChunkAsync()
        {
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }

        Dictionary<SecretEnvironment, string> Value(ImportEntry entry) => new() { [environment] = entry.Value };
        static Result<ImportOutcome> Refused(string name, Result<SavedSecret> saved) =>
            Result<ImportOutcome>.Invalid([.. saved.Errors.Select(e => new FieldError("", $"{name}: {e.Message}"))]);

        audit.Record(AuditAction.SecretsImported, AuditActor.Of(actor),
            $"Imported into {environment}: {created.Count} created, {updated.Count} updated, {unchanged} unchanged.");
        await db.SaveChangesAsync();
        await secrets.PruneAsync(stagedUpdates);
        return Result<ImportOutcome>.Ok(new ImportOutcome(environment, created, updated, unchanged));
    }

    private async Task<ImportRow> RowAsync(CurrentUser actor, ImportEntry entry, SecretEnvironment environment, IReadOnlyDictionary<string, Existing> existing)
    {
        var mask = SecretMask.For(entry.Value);
        var fingerprint = cipher.Fingerprint(entry.Value);
        var warning = SecretRules.ValueWarning(environment, entry.Value) is { } w ? WarningForImport(w) : null;
        if (ImportNames.Problem(entry.Name) is { } problem)
        {
            var suggestion = ImportNames.Suggest(entry.Name);
            ImportAction? suggestionAction = suggestion is null ? null : await ActionAsync(actor, suggestion, fingerprint, existing);
            return new ImportRow(entry.Name, ImportAction.InvalidName, mask, entry.Line, problem, suggestion, suggestionAction, warning);
        }

        return new ImportRow(entry.Name, await ActionAsync(actor, entry.Name, fingerprint, existing), mask, entry.Line, Warning: warning);
    }

    private async Task<ImportAction> ActionAsync(CurrentUser actor, string name, byte[] fingerprint, IReadOnlyDictionary<string, Existing> existing)
    {
        if (!existing.TryGetValue(name, out var found)) return ImportAction.Create;
        if (!await authorization.AllowsAsync(actor, found.Secret, ResourceOperations.Update)) return ImportAction.NotAllowed;
        return found.Fingerprint is { } stored && CryptographicOperations.FixedTimeEquals(stored, fingerprint) ? ImportAction.Unchanged : ImportAction.Update;
    }

    /// <summary>The organization's secrets named by the entries (or their suggested names), with the environment's stored fingerprint.</summary>
    private Task<Dictionary<string, Existing>> ExistingAsync(CurrentUser actor, IEnumerable<ImportEntry> entries, SecretEnvironment environment) =>
        ExistingAsync(actor, entries.SelectMany(e => ImportNames.Problem(e.Name) is null ? [e.Name] : ImportNames.Suggest(e.Name) is { } s ? [s] : Array.Empty<string>()),
            environment);

    private async Task<Dictionary<string, Existing>> ExistingAsync(CurrentUser actor, IEnumerable<string> names, SecretEnvironment environment)
    {
        var wanted = names.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return new(StringComparer.Ordinal);
        // One query for the organization's secrets; a list parameter of 5,000 names would make a slower plan than reading them all.
        var all = await db.Secrets.AsNoTracking()
            .Where(s => s.OrganizationId == actor.OrganizationId)
            .Select(s => new Existing(s, s.Values.Where(v => v.Environment == environment).Select(v => v.Fingerprint).FirstOrDefault()))
            .ToListAsync();
        var set = wanted.ToHashSet(StringComparer.Ordinal);
        return all.Where(e => set.Contains(e.Secret.Name)).ToDictionary(e => e.Secret.Name, StringComparer.Ordinal);
    }

    private static Result<bool>? Refusal(string? text, ImportFormat format, SecretEnvironment environment)
    {
        if (!Enum.IsDefined(environment)) return Result<bool>.Invalid("Environment", "Choose Development, Staging or Production.");
        if (!Enum.IsDefined(format)) return Result<bool>.Invalid("Format", "Choose Automatic, dotenv or JSON.");
        if (string.IsNullOrWhiteSpace(text)) return Result<bool>.Invalid("Text", "Paste the text of a .env or JSON file, or choose a file.");
        return null;
    }

    private static string Capitalized(string message) => message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..];

    private static string WarningForImport(string warning)
    {
        var cut = warning.IndexOf(" Fix it,", StringComparison.Ordinal);
        return (cut < 0 ? warning : warning[..cut]) + " It is imported as it is.";
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Distinct().Order(StringComparer.Ordinal).ToList();
        return list.Count <= 20 ? string.Join(", ", list) : $"{string.Join(", ", list.Take(20))} and {list.Count - 20} more";
    }

    // Keyed, so the token's digest of the text says nothing about the values to anyone without the server's keys.
    private string TextHash(string text) => Convert.ToBase64String(cipher.Fingerprint(text));

    private string Protect(TokenBody body) =>
        Protector.Protect(JsonSerializer.Serialize(body), clock.GetUtcNow().Add(PreviewLifetime));

    private TokenBody? Unprotect(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1_000_000) return null;
        try
        {
            var json = Protector.Unprotect(token, out var expiration);
            return expiration < clock.GetUtcNow() ? null : JsonSerializer.Deserialize<TokenBody>(json);
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}
