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
/// Integrations of one organization: save templates, run them. A template may reference only secrets its author may
/// change (owner or priority >= 100), checked when it is saved and again, for the integration's owner, on every run:
/// otherwise anyone could point a template at a secret they cannot see and read it at their own server.
/// </summary>
public sealed class IntegrationService(
    ZiggyDbContext db, IAuthorizationService authorization, SecretValueResolver resolver, IntegrationHttpClient http, AuditTrail audit, TimeProvider clock)
{
    public const string NotAllowedToUseMessage = "You may not use secret {0} in an integration: only its owner ({1}) or an Admin may reference it.";

    public Task<List<IntegrationListItem>> ListAsync(CurrentUser actor) =>
        db.Integrations.AsNoTracking()
            .Where(i => i.OrganizationId == actor.OrganizationId)
            .OrderBy(i => i.Name)
            .Select(i => new IntegrationListItem(i.Id, i.Name, i.Method, i.Url, i.Owner!.DisplayName, i.References.Count,
                db.IntegrationRuns.Where(r => r.IntegrationId == i.Id).OrderByDescending(r => r.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefault(),
                db.IntegrationRuns.Where(r => r.IntegrationId == i.Id).OrderByDescending(r => r.StartedAt)
                    .Select(r => r.Succeeded ? "HTTP " + r.StatusCode : "Failed").FirstOrDefault()))
            .ToListAsync();

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
        var refused = await RefusedReferencesAsync(actor, names);
        if (refused.Count > 0) return Result<IntegrationDetails>.Invalid(refused);

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
    public async Task<Result<RunView>> RunAsync(CurrentUser actor, Guid id, SecretEnvironment environment)
    {
        var integration = await LoadAsync(actor, id, tracked: false);
        if (integration is null || !await authorization.AllowsAsync(actor, integration, ResourceOperations.Read)) return Result<RunView>.NotFound();

        var names = SecretTemplate.References(integration.Url, integration.Headers, integration.Body);
        // The run uses secrets on its owner's behalf: judged on the owner as stored now (role, and whether still active).
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == integration.OwnerId)
            .Select(u => new CurrentUser(u.Id, u.OrganizationId, u.Role, u.DisplayName, u.IsActive)).FirstAsync();
        var ownerPrincipal = owner.ToPrincipal();
        var started = clock.GetUtcNow();

        var resolved = await resolver.ResolveAsync(integration.OrganizationId, names, environment,
            async secret => (await authorization.AuthorizeAsync(ownerPrincipal, secret, ResourceOperations.Update)).Succeeded);
        IntegrationRun run;
        if (!resolved.IsOk)
        {
            run = Record(integration, actor, started, environment, names, new OutboundResponse(null, "", "", false,
                string.Join(" ", resolved.Errors.Select(e => e.Message)), 0));
        }
        else
        {
            var values = resolved.Value!;
            var redactor = new Redactor(values.Select(v => (v.Value, v.Mask)));
            var byName = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
            var response = await SendAsync(integration, byName);
            run = Record(integration, actor, started, environment, names, response with
            {
                Headers = redactor.Redact(response.Headers)!,
                Body = redactor.Redact(response.Body)!,
                Error = redactor.Redact(response.Error),
            });
        }

        db.IntegrationRuns.Add(run);
        var decrypted = resolved.IsOk ? string.Join(", ", names) : "none";
        audit.Record(AuditAction.IntegrationRun, AuditActor.Of(actor),
            $"Integration {integration.Name} run in {environment}; decrypted: {decrypted}; " +
            (run.Succeeded ? $"answered HTTP {run.StatusCode}." : $"failed: {run.Error}"), secretName: string.Join(", ", names));
        await db.SaveChangesAsync();
        return Result<RunView>.Ok(ToView(run, actor.DisplayName));
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
        IReadOnlyList<string> names, OutboundResponse response) => new()
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
        Truncated = response.Truncated,
    };

    private async Task<List<FieldError>> RefusedReferencesAsync(CurrentUser actor, IReadOnlyList<string> names)
    {
        var secrets = await db.Secrets.AsNoTracking().Include(s => s.Owner)
            .Where(s => s.OrganizationId == actor.OrganizationId && names.Contains(s.Name)).ToListAsync();
        var refused = new List<FieldError>();
        foreach (var secret in secrets)
        {
            if (!await authorization.AllowsAsync(actor, secret, ResourceOperations.Update))
                refused.Add(new("", string.Format(NotAllowedToUseMessage, secret.Name, secret.Owner!.DisplayName)));
        }

        return refused;
    }

    private Task<Integration?> LoadAsync(CurrentUser actor, Guid id, bool tracked)
    {
        var query = db.Integrations.Include(i => i.References).Where(i => i.Id == id && i.OrganizationId == actor.OrganizationId);
        return (tracked ? query : query.AsNoTracking()).FirstOrDefaultAsync();
    }


    private async Task<IntegrationDetails> DetailsAsync(CurrentUser actor, Integration integration)
    {
        var ownerName = await db.Users.Where(u => u.Id == integration.OwnerId).Select(u => u.DisplayName).FirstAsync();
        var names = SecretTemplate.References(integration.Url, integration.Headers, integration.Body);
        var runs = await db.IntegrationRuns.AsNoTracking().Include(r => r.RunBy)
            .Where(r => r.IntegrationId == integration.Id).OrderByDescending(r => r.StartedAt).Take(20).ToListAsync();
        return new IntegrationDetails(integration.Id, integration.Name, integration.Method, integration.Url, integration.Headers,
            integration.Body, integration.Version, integration.OwnerId, ownerName,
            await authorization.AllowsAsync(actor, integration, ResourceOperations.Update), await ReferencesAsync(actor, names),
            runs.Select(r => ToView(r, r.RunBy!.DisplayName)).ToList());
    }

    private static RunView ToView(IntegrationRun run, string runBy) => new(run.Id, run.StartedAt, runBy, run.Environment, run.SecretNames,
        run.Succeeded, run.StatusCode, run.DurationMs, run.Error, run.ResponseHeaders, run.ResponseBody, run.Truncated);
}
