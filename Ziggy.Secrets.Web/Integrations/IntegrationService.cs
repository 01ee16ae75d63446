using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>
/// Integrations of one organization: save templates, run them, show what came back.
/// </summary>
/// <remarks>
/// A run sends values of secrets to a place built from its inputs: the template and every referenced secret (a secret
/// may hold the host, a path, a header). So a run mixes only secrets that the same people control: everyone who can
/// change any input of the run (the template's owner, each referenced secret's owner, and administrators) must be
/// allowed to change every secret the run decrypts (<see cref="MixingRefusalsAsync"/>). Otherwise a member could point
/// an administrator's template at their own server by changing the one secret they own. Checked when the template is
/// saved and again on every run, on owners and roles as stored at that moment. What came back is shown only to those
/// who may change every secret the run decrypted (<see cref="ViewAsync"/>).
/// </remarks>
public sealed class IntegrationService(
    ZiggyDbContext db, IAuthorizationService authorization, SecretValueResolver resolver, IntegrationHttpClient http, AuditTrail audit, TimeProvider clock)
{
    public const string HiddenResponseMessage = "The response is hidden because it may contain values of secrets you cannot change.";

    /// <summary>The organization's integrations, each flagged when a run would now be refused because it mixes secrets of different people.</summary>
    public async Task<List<IntegrationListItem>> ListAsync(CurrentUser actor)
    {
        var rows = await db.Integrations.AsNoTracking()
            .Where(i => i.OrganizationId == actor.OrganizationId)
            .OrderBy(i => i.Name)
            .Select(i => new
            {
                Item = new IntegrationListItem(i.Id, i.Name, i.Method, i.Url, i.Owner!.DisplayName, i.References.Count,
                    db.IntegrationRuns.Where(r => r.IntegrationId == i.Id).OrderByDescending(r => r.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefault(),
                    db.IntegrationRuns.Where(r => r.IntegrationId == i.Id).OrderByDescending(r => r.StartedAt)
                        .Select(r => r.Succeeded ? "HTTP " + r.StatusCode : "Failed").FirstOrDefault(), null),
                i.OwnerId,
                Names = i.References.Select(r => r.SecretName).ToList(),
            })
            .ToListAsync();
        var names = rows.SelectMany(r => r.Names).Distinct().ToList();
        var secrets = await NamedSecretsAsync(actor.OrganizationId, names);
        var list = new List<IntegrationListItem>(rows.Count);
        foreach (var row in rows)
        {
            var used = secrets.Where(s => row.Names.Contains(s.Name)).ToList();
            var refusals = await MixingRefusalsAsync(actor.OrganizationId, row.OwnerId, used);
            list.Add(row.Item with { RuleBroken = refusals.FirstOrDefault() });
        }

        return list;
    }

    public async Task<Result<IntegrationDetails>> GetAsync(CurrentUser actor, Guid id)
    {
        var integration = await LoadAsync(actor, id, tracked: false);
        if (integration is null || !await authorization.AllowsAsync(actor, integration, ResourceOperations.Read)) return Result<IntegrationDetails>.NotFound();
        return Result<IntegrationDetails>.Ok(await DetailsAsync(actor, integration));
    }

    /// <summary>What the editor lists under the template: each referenced name, whether it exists and has values.</summary>
    public async Task<IReadOnlyList<ReferenceStatus>> ReferencesAsync(CurrentUser actor, IReadOnlyList<string> names)
    {
        var secrets = await db.Secrets.AsNoTracking().Include(s => s.Values)
            .Where(s => s.OrganizationId == actor.OrganizationId && names.Contains(s.Name))
            .ToListAsync();
        var statuses = new List<ReferenceStatus>();
        foreach (var name in names)
        {
            var secret = secrets.FirstOrDefault(s => s.Name == name);
            statuses.Add(secret is null
                ? new ReferenceStatus(name, false, false, false, false, MayUse: false)
                : new ReferenceStatus(name, true,
                    secret.ValueFor(SecretEnvironment.Development) is not null,
                    secret.ValueFor(SecretEnvironment.Staging) is not null,
                    secret.ValueFor(SecretEnvironment.Production) is not null,
                    await authorization.AllowsAsync(actor, secret, ResourceOperations.Update)));
        }

        return statuses;
    }

    public async Task<Result<IntegrationDetails>> SaveAsync(CurrentUser actor, Guid? id, int? version, IntegrationDraft draft)
    {
        draft = draft with { Name = draft.Name.Trim(), Method = draft.Method.Trim().ToUpperInvariant(), Url = draft.Url.Trim() };
        var errors = IntegrationRules.Check(draft);
        if (errors.Count > 0) return Result<IntegrationDetails>.Invalid(errors);

        var names = SecretTemplate.References(draft.Url, draft.Headers, draft.Body);
        var saved = await db.InTransactionAsync(async () =>
        {
            var now = clock.GetUtcNow();
            Integration? integration;
            if (id is null)
            {
                integration = new Integration { OrganizationId = actor.OrganizationId, OwnerId = actor.UserId, Name = draft.Name, CreatedAt = now };
                db.Integrations.Add(integration);
            }
            else
            {
                integration = await LoadAsync(actor, id.Value, tracked: true);
                if (integration is null || !await authorization.AllowsAsync(actor, integration, ResourceOperations.Update)) return Result<Guid>.NotFound();
                if (version != integration.Version) return Result<Guid>.Conflict("Someone else saved this integration after you opened it. Reload it; your changes were not saved.");
                integration.Version++;
            }

            if (await db.Integrations.AnyAsync(i => i.OrganizationId == actor.OrganizationId && i.Name == draft.Name && i.Id != integration.Id))
                return Result<Guid>.Invalid("Name", $"An integration named {draft.Name} already exists in this organization.");

            var refused = await ReferenceRefusalsAsync(actor.OrganizationId, integration.OwnerId, names);
            if (refused.Count > 0) return Result<Guid>.Invalid(refused.Select(r => new FieldError("", r)).ToList());

            integration.Name = draft.Name;
            integration.Method = draft.Method;
            integration.Url = draft.Url;
            integration.Headers = draft.Headers;
            integration.Body = draft.Body;
            integration.UpdatedAt = now;
            integration.References.RemoveAll(r => !names.Contains(r.SecretName));
            foreach (var name in names.Where(n => integration.References.All(r => r.SecretName != n)))
                integration.References.Add(new IntegrationSecretReference { IntegrationId = integration.Id, SecretName = name });
            audit.Record(AuditAction.IntegrationSaved, AuditActor.Of(actor),
                $"Integration {integration.Name}: {integration.Method} {integration.Url} (template; no values).", secretName: string.Join(", ", names));
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                return Result<Guid>.Invalid("Name", $"An integration named {draft.Name} already exists in this organization.");
            }

            return Result<Guid>.Ok(integration.Id);
        });
        if (!saved.IsOk) return saved.As<IntegrationDetails>();
        db.ChangeTracker.Clear();
        return await GetAsync(actor, saved.Value);
    }

    public Task<Result<Guid>> DeleteAsync(CurrentUser actor, Guid id) =>
        db.InTransactionAsync(async () =>
        {
            var integration = await LoadAsync(actor, id, tracked: true);
            if (integration is null || !await authorization.AllowsAsync(actor, integration, ResourceOperations.Delete)) return Result<Guid>.NotFound();
            db.Integrations.Remove(integration);
            audit.Record(AuditAction.IntegrationDeleted, AuditActor.Of(actor), $"Integration {integration.Name} deleted.");
            await db.SaveChangesAsync();
            return Result<Guid>.Ok(integration.Id);
        });

    /// <summary>
    /// Runs the saved template in <paramref name="environment"/>. Refusals (unknown names, missing values, a secret the
    /// owner may not use, a value that fails to decrypt) end the run before any network call. Whatever is shown or
    /// stored afterwards has every form of every value replaced by its mask.
    /// </summary>
    public async Task<Result<RunOutcome>> RunAsync(CurrentUser actor, Guid id, SecretEnvironment environment)
    {
        var integration = await LoadAsync(actor, id, tracked: false);
        if (integration is null || !await authorization.AllowsAsync(actor, integration, ResourceOperations.Read)) return Result<RunOutcome>.NotFound();

        var names = SecretTemplate.References(integration.Url, integration.Headers, integration.Body);
        var started = clock.GetUtcNow();
        IReadOnlyList<NamedSecret> read = [];
        var resolved = await resolver.ResolveAsync(integration.OrganizationId, names, environment,
            secrets => MixingRefusalsAsync(integration.OrganizationId, integration.OwnerId, read = secrets.Select(NamedSecret.Of).ToList()));
        IntegrationRun run;
        string? auditDetail = null;
        if (!resolved.IsOk)
        {
            run = Record(integration, actor, started, environment, names, new OutboundResponse(null, "", "", false,
                string.Join(" ", resolved.Errors.Select(e => e.Message)), 0), responseBytes: 0);
        }
        else
        {
            var values = resolved.Value!;
            var redactor = new Redactor(values.Select(v => (v.Value, v.Mask)));
            var byName = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
            var response = await SendAsync(integration, byName);
            // Where a refused or failed request went (the address, the redirect's origin) is for the audit trail only.
            auditDetail = redactor.Redact(response.AuditDetail);
            run = Record(integration, actor, started, environment, names, response with
            {
                Headers = redactor.RedactHeaders(response.Headers)!,
                Body = redactor.Redact(response.Body)!,
                Error = redactor.Redact(response.Error),
            }, Encoding.UTF8.GetByteCount(response.Body));
        }

        var decrypted = resolved.IsOk ? string.Join(", ", names) : "none";
        // A write transaction like every other: on SQLite it waits its turn among this process's writers rather than
        // meeting another writer's lock.
        await db.InTransactionAsync(async () =>
        {
            db.IntegrationRuns.Add(run);
            audit.Record(AuditAction.IntegrationRun, AuditActor.Of(actor),
                $"Integration {integration.Name} run in {environment}; decrypted: {decrypted}; " +
                (run.Succeeded ? $"answered HTTP {run.StatusCode}." : $"failed: {run.Error}") +
                (run.Succeeded && run.Error is not null ? $" {run.Error}" : "") + (auditDetail is null ? "" : $" Detail: {auditDetail}"),
                secretName: string.Join(", ", names));
            await db.SaveChangesAsync();
            return Result<Guid>.Ok(run.Id);
        });
        return Result<RunOutcome>.Ok(new RunOutcome(await ViewAsync(actor, run, actor.DisplayName, read), await RecentRunsAsync(integration.Id)));
    }

    /// <summary>What one run of the integration brought back, for a viewer who may read the integration: hidden unless they may change every secret it decrypted.</summary>
    public async Task<Result<RunView>> RunResponseAsync(CurrentUser actor, Guid id, Guid runId)
    {
        var integration = await LoadAsync(actor, id, tracked: false);
        if (integration is null || !await authorization.AllowsAsync(actor, integration, ResourceOperations.Read)) return Result<RunView>.NotFound();
        // The run must be this integration's: an id of another integration's run finds nothing here.
        var found = await db.IntegrationRuns.AsNoTracking().Where(r => r.Id == runId && r.IntegrationId == integration.Id)
            .Select(r => new { Run = r, RunBy = r.RunBy!.DisplayName }).FirstOrDefaultAsync();
        return found is null ? Result<RunView>.NotFound() : Result<RunView>.Ok(await ViewAsync(actor, found.Run, found.RunBy));
    }

    private async Task<OutboundResponse> SendAsync(Integration integration, IReadOnlyDictionary<string, string> values)
    {
        var url = SecretTemplate.SubstituteUrl(integration.Url, values);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return new OutboundResponse(null, "", "", false, "After substituting the secrets the URL is not an absolute http:// or https:// URL. Nothing was sent.", 0);
        var headers = IntegrationRules.HeaderLines(integration.Headers)
            .Select(h => (h.Name!, SecretTemplate.Substitute(h.Value, values)))
            .ToList();
        return await http.SendAsync(new OutboundRequest(integration.Method, uri, headers, SecretTemplate.Substitute(integration.Body, values)));
    }

    private IntegrationRun Record(Integration integration, CurrentUser actor, DateTimeOffset started, SecretEnvironment environment,
        IReadOnlyList<string> names, OutboundResponse response, long responseBytes) => new()
    {
        IntegrationId = integration.Id,
        OrganizationId = integration.OrganizationId,
        RunById = actor.UserId,
        StartedAt = started,
        Environment = environment,
        SecretNames = string.Join(",", names),
        Succeeded = response.StatusCode is not null,
        StatusCode = response.StatusCode,
        DurationMs = response.DurationMs,
        Error = response.Error,
        ResponseHeaders = response.Headers,
        ResponseBody = response.Body,
        ResponseBytes = responseBytes,
        Truncated = response.Truncated,
    };

    /// <summary>Why a template may not be saved with these references: names that do not exist, and secrets it may not mix.</summary>
    private async Task<IReadOnlyList<string>> ReferenceRefusalsAsync(Guid organizationId, Guid templateOwnerId, IReadOnlyList<string> names)
    {
        var secrets = await NamedSecretsAsync(organizationId, names);
        var unknown = names.Where(n => secrets.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            var trashed = await db.Secrets.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.OrganizationId == organizationId && s.DeletedAt != null && unknown.Contains(s.Name)).Select(s => s.Name).Distinct().ToListAsync();
            var refusals = trashed.Order(StringComparer.Ordinal).Select(n => $"{n} is in the trash: restore it first, or correct the reference.").ToList();
            if (unknown.Except(trashed).ToList() is { Count: > 0 } missing)
                refusals.Add($"No secret is named {string.Join(", ", missing)}: create it first, or correct the reference.");
            return refusals;
        }

        return await MixingRefusalsAsync(organizationId, templateOwnerId, names.Select(n => secrets.First(s => s.Name == n)).ToList());
    }

    /// <summary>
    /// Why a run of a template owned by <paramref name="templateOwnerId"/> may not decrypt <paramref name="secrets"/>
    /// together (none when it may). Everyone who can change an input of the run must be allowed to change every secret
    /// it decrypts. Administrators may change every secret, so it comes down to the template's owner and each secret's
    /// owner, each asked of the authorization handler as stored now (a deactivated owner counts as a Member).
    /// </summary>
    public async Task<IReadOnlyList<string>> MixingRefusalsAsync(Guid organizationId, Guid templateOwnerId, IReadOnlyList<NamedSecret> secrets)
    {
        var ownerIds = secrets.Select(s => s.OwnerId).Prepend(templateOwnerId).Distinct().ToArray();
        var owners = await Owners.For(db)(db, ownerIds, organizationId).ToListAsync();
        var refusals = new List<string>();
        foreach (var ownerId in ownerIds)
        {
            // An owner who is not a member of this organization (never the case through the app) may change nothing here.
            var owner = owners.FirstOrDefault(o => o.UserId == ownerId);
            var cannotChange = new List<string>();
            foreach (var secret in secrets)
            {
                if (owner is null || !await authorization.AllowsAsync(owner, secret, ResourceOperations.Update)) cannotChange.Add(secret.Name);
            }

            if (cannotChange.Count == 0) continue;
            var who = owner?.DisplayName ?? "a former member";
            var owned = secrets.FirstOrDefault(s => s.OwnerId == ownerId);
            refusals.Add(owned is not null
                ? $"{owned.Name} is owned by {who}, who may not change {string.Join(", ", cannotChange)}."
                : $"This integration is owned by {who}, who may not change {string.Join(", ", cannotChange)}.");
        }

        return refusals;
    }

    // Compiled: a run asks it on every request, and the rule of every save of an integration.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid[], Guid, IAsyncEnumerable<CurrentUser>>> Owners = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid[] ids, Guid organizationId) =>
            db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && u.OrganizationId == organizationId)
                .Select(u => new CurrentUser(u.Id, u.OrganizationId, u.Role, u.DisplayName, u.IsActive))));

    // Compiled: a run reads the integration and its last runs on every request. All rows of the id, not the first: see
    // PerModelQuery on single rows with a collection.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Guid, IAsyncEnumerable<Integration>>> Untracked = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid id, Guid organizationId) =>
            db.Integrations.AsNoTracking().Include(i => i.References).Where(i => i.Id == id && i.OrganizationId == organizationId)));

    // Joined before the limit, so the limit stays outside a subquery (see PerModelQuery). The responses stay in the
    // database: the history shows them one at a time (RunResponseAsync).
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, IAsyncEnumerable<RunSummary>>> LastRuns = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid integrationId) =>
            (from r in db.IntegrationRuns.AsNoTracking()
             where r.IntegrationId == integrationId
             join u in db.Users on r.RunById equals u.Id
             orderby r.StartedAt descending
             select new RunSummary(r.Id, r.StartedAt, u.DisplayName, r.Environment, r.SecretNames, r.Succeeded, r.StatusCode, r.DurationMs,
                 r.Error, r.Truncated, r.ResponseBytes)).Take(20)));

    private Task<Integration?> LoadAsync(CurrentUser actor, Guid id, bool tracked) => tracked
        ? db.Integrations.Include(i => i.References).FirstOrDefaultAsync(i => i.Id == id && i.OrganizationId == actor.OrganizationId)
        : Untracked.For(db)(db, id, actor.OrganizationId).FirstOrDefaultAsync().AsTask();


    private async Task<IntegrationDetails> DetailsAsync(CurrentUser actor, Integration integration)
    {
        var ownerName = await db.Users.Where(u => u.Id == integration.OwnerId).Select(u => u.DisplayName).FirstAsync();
        var names = SecretTemplate.References(integration.Url, integration.Headers, integration.Body);
        return new IntegrationDetails(integration.Id, integration.Name, integration.Method, integration.Url, integration.Headers,
            integration.Body, integration.Version, integration.OwnerId, ownerName,
            await authorization.AllowsAsync(actor, integration, ResourceOperations.Update), await ReferencesAsync(actor, names),
            await RecentRunsAsync(integration.Id));
    }

    /// <summary>The organization's secrets among <paramref name="names"/>, as the mixing and visibility rules need them.</summary>
    private Task<List<NamedSecret>> NamedSecretsAsync(Guid organizationId, IReadOnlyCollection<string> names) =>
        db.Secrets.AsNoTracking().Where(s => s.OrganizationId == organizationId && names.Contains(s.Name))
            .Select(s => new NamedSecret(s.Name, s.OrganizationId, s.OwnerId)).ToListAsync();

    /// <summary>The last runs, newest first.</summary>
    private async Task<IReadOnlyList<RunSummary>> RecentRunsAsync(Guid integrationId) => await LastRuns.For(db)(db, integrationId).ToListAsync();

    /// <summary>
    /// The run as <paramref name="viewer"/> may see it: what it brought back only when they may change every secret it
    /// decrypted, judged now (a secret that no longer exists under its name only administrators may see). Secrets in
    /// <paramref name="read"/>, read by this request's run of the organization's integration, are not read again.
    /// </summary>
    private async Task<RunView> ViewAsync(CurrentUser viewer, IntegrationRun run, string runBy, IReadOnlyList<NamedSecret>? read = null)
    {
        var names = run.SecretNames.Split(',', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        var secrets = (read ?? []).Where(s => s.OrganizationId == run.OrganizationId).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var unread = names.Where(n => !secrets.ContainsKey(n)).ToList();
        if (unread.Count > 0)
        {
            foreach (var secret in await NamedSecretsAsync(run.OrganizationId, unread)) secrets[secret.Name] = secret;
        }

        var visible = true;
        foreach (var name in names)
        {
            visible = secrets.TryGetValue(name, out var secret)
                ? await authorization.AllowsAsync(viewer, secret, ResourceOperations.Update)
                : await authorization.AllowsAsync(viewer, OrganizationOperations.Administer);
            if (!visible) break;
        }

        var summary = new RunSummary(run.Id, run.StartedAt, runBy, run.Environment, run.SecretNames, run.Succeeded, run.StatusCode, run.DurationMs,
            run.Error, run.Truncated, run.ResponseBytes);
        return new RunView(summary, visible ? run.ResponseHeaders : "", visible ? run.ResponseBody : "", ResponseHidden: !visible);
    }
}

/// <summary>A secret as the mixing and visibility rules need it: its name and whose it is.</summary>
public sealed record NamedSecret(string Name, Guid OrganizationId, Guid OwnerId) : IOwnedResource
{
    public static NamedSecret Of(StoredSecretValue stored) => new(stored.Name, stored.OrganizationId, stored.OwnerId);
}
