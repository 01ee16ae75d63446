using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Hosting;
using Ziggy.Secrets.Web.Pages.Shared;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Pages.Secrets;

/// <summary>What the editor partial needs: the secret (null for "Add Secret") and the form's fields.</summary>
public sealed record SecretEditorView(SecretDetails? Secret, SecretForm Input)
{
    public bool IsNew => Secret is null;

    public bool ReadOnly => Secret is { CanModify: false };
}

public sealed class IndexModel(SecretService secrets, BulkSecretService bulk, TeamService team, IAuthorizationService authorization) : PageModel
{
    /// <summary>Whether the selection bar offers Transfer ownership (administrators); the server decides each transfer again.</summary>
    public bool MayTransfer { get; private set; }

    [BindProperty]
    public SecretForm Input { get; set; } = new();

    /// <summary>The editor opened with the page (plain links and form posts without htmx).</summary>
    public SecretEditorView? Editor { get; private set; }

    private CurrentUser Me => CurrentUser.Required(User);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HttpContext.User.Identity?.IsAuthenticated == true) MayTransfer = await authorization.AllowsAsync(Me, OrganizationOperations.Administer);
        await next();
    }

    public void OnGet()
    {
    }

    /// <summary>
    /// The grid's rows: names, descriptions, owners and Yes/No per environment. No value, no mask. Streamed as they are
    /// read, with an ETag; the browser revalidates them on every use and gets 304 while no secret of the organization
    /// changed.
    /// </summary>
    public async Task<IActionResult> OnGetRowsAsync()
    {
        SecurityHeadersMiddleware.RevalidateEveryTime(HttpContext);
        // The tag is read before the rows, so it never names rows older than the ones sent with it.
        var tag = await secrets.RowsETagAsync(Me);
        Response.Headers.ETag = tag;
        if (Request.GetTypedHeaders().IfNoneMatch.Any(held => held.Tag == tag)) return StatusCode(StatusCodes.Status304NotModified);
        Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(Response.Body, secrets.ListAsync(Me), SecretRowsJson.Default.IAsyncEnumerableSecretRow, HttpContext.RequestAborted);
        return new EmptyResult();
    }

    public IActionResult OnGetNew() => ShowEditor(null);

    public async Task<IActionResult> OnGetEditAsync(Guid id)
    {
        var found = await secrets.GetAsync(Me, id);
        return found.IsOk ? ShowEditor(found.Value) : NotFound();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        if (!ModelState.IsValid) return await RefusedAsync(null, ModelState.FieldErrors());
        var values = Enum.GetValues<SecretEnvironment>()
            .Select(e => (Environment: e, Value: Input.ValueFor(e)))
            .Where(v => !string.IsNullOrEmpty(v.Value))
            .ToDictionary(v => v.Environment, v => v.Value!);
        var result = await secrets.CreateAsync(Me, new SecretDraft(Input.Name ?? "", Input.Description ?? "", values) { Confirmed = Input.Confirmed() });
        return await SavedAsync(result, created: true, id: null, said: name => $"Secret {name} created.");
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid id)
    {
        if (!ModelState.IsValid) return await RefusedAsync(id, ModelState.FieldErrors());
        if (Input.Version is null) return await RefusedAsync(id, [new FieldError("", "The form is missing its version. Reload the secret and try again.")]);
        var (newValues, removed) = Input.Changes();
        var result = await secrets.UpdateAsync(Me, id,
            new SecretChanges(Input.Version.Value, Input.Name ?? "", Input.Description ?? "", newValues, removed) { Confirmed = Input.Confirmed() });
        return result.Outcome == Outcome.NotFound ? NotFound() : await SavedAsync(result, created: false, id, name =>
            removed.Count > 0 && newValues.Count == 0
                ? $"{string.Join(" and ", removed)} value{(removed.Count == 1 ? "" : "s")} of {name} removed."
                : $"Secret {name} saved.");
    }

    public async Task<IActionResult> OnPostTransferAsync(Guid id, Guid? newOwnerId)
    {
        if (Input.Version is null || newOwnerId is null) return await RefusedAsync(id, [new FieldError("NewOwnerId", SecretService.ChooseOwnerMessage)]);
        var result = await secrets.TransferOwnershipAsync(Me, id, newOwnerId.Value, Input.Version.Value);
        return result.Outcome == Outcome.NotFound ? NotFound() : await SavedAsync(result, created: false, id, name => $"Ownership of {name} transferred.");
    }

    /// <summary>One environment's value history (masks and fingerprints, never a value), with Restore for those who may change the secret.</summary>
    public async Task<IActionResult> OnGetHistoryAsync(Guid id, SecretEnvironment environment)
    {
        if (!ModelState.IsValid || !Enum.IsDefined(environment)) return NotFound();
        var found = await secrets.HistoryAsync(Me, id, environment);
        if (!found.IsOk) return NotFound();
        Response.Headers.Vary = "HX-Request";
        return Partial("_History", found.Value!);
    }

    /// <summary>The secret's latest audit events, read when its editor's Audit history opens; only for those who may change it.</summary>
    public async Task<IActionResult> OnGetAuditHistoryAsync(Guid id)
    {
        var found = await secrets.AuditHistoryAsync(Me, id);
        return found.IsOk ? Partial("_AuditHistory", found.Value) : NotFound();
    }

    /// <summary>Makes an earlier version the current value (as a new version); the value itself never travels.</summary>
    public async Task<IActionResult> OnPostRestoreAsync(Guid id, SecretEnvironment environment, int number)
    {
        if (!ModelState.IsValid || !Enum.IsDefined(environment)) return NotFound();
        if (Input.Version is null) return await RefusedAsync(id, [new FieldError("", "The form is missing its version. Reload the secret and try again.")]);
        var result = await secrets.RestoreAsync(Me, id, environment, number, Input.Version.Value);
        return result.Outcome == Outcome.NotFound ? NotFound() : await SavedAsync(result, created: false, id,
            name => $"{environment} value of {name} restored from version {number}.");
    }

    public async Task<IActionResult> OnGetDeleteAsync(Guid id)
    {
        var found = await secrets.GetAsync(Me, id);
        if (!found.IsOk || !found.Value!.CanModify) return NotFound();
        return Partial("_DeleteDialog", found.Value);
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, string? confirm)
    {
        var result = await secrets.DeleteAsync(Me, id, confirm);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (!result.IsOk)
        {
            if (!Request.IsHtmx()) return BadRequest(result.Errors[0].Message);
            Response.Htmx(h => h.Reswap("none"));
            return Partial("_FieldErrors", new FieldErrorsView(["Confirm"], result.Errors, AlertId: "delete-alert", Prefix: ""));
        }

        this.Toast($"Secret {result.Value} moved to the Trash.");
        if (!Request.IsHtmx()) return RedirectToPage();
        // The page closes the dialog and the editor on the event; the toast says what happened.
        Response.Htmx(h => h.WithTrigger("secret-deleted", new { id }).Reswap("none"));
        return Content("", "text/html");
    }

    /// <summary>The delete dialog for the grid's selection (<paramref name="ids"/>: ids separated by commas): how many, their names, the integrations they break.</summary>
    public async Task<IActionResult> OnPostBulkDeleteDialogAsync(string? ids) =>
        await BulkDialogAsync(ids, selected => bulk.DeletePreviewAsync(Me, selected), "_BulkDeleteDialog", []);

    /// <summary>
    /// The editor's transfer list, loaded when an administrator opens Transfer ownership: the organization's active
    /// members, <paramref name="selected"/> (the current owner) chosen. Not part of the editor, where a company's
    /// thousand members would weigh on every secret an administrator opens or saves.
    /// </summary>
    public async Task<IActionResult> OnGetOwnersAsync(Guid? selected)
    {
        var members = await team.ActiveMembersAsync(Me);
        return members.Count == 0 ? NotFound() : Partial("_OwnerOptions", new OwnerOptionsView(members, selected));
    }

    /// <summary>The transfer dialog for the grid's selection; administrators only (others are never offered it).</summary>
    public async Task<IActionResult> OnPostBulkTransferDialogAsync(string? ids)
    {
        var members = await team.ActiveMembersAsync(Me);
        if (members.Count == 0) return NotFound();
        return await BulkDialogAsync(ids, selected => bulk.TransferPreviewAsync(Me, selected), "_BulkTransferDialog", members);
    }

    public async Task<IActionResult> OnPostBulkDeleteAsync(string? ids, string? confirm)
    {
        var selected = BulkIds.Parse(ids);
        var result = selected.IsOk ? await bulk.DeleteAsync(Me, selected.Value!, confirm) : selected.As<BulkDone>();
        return BulkDone(result, "secrets-bulk-deleted", selected.Value, ["Confirm"],
            n => $"{n} secret{(n == 1 ? " was" : "s were")} moved to the <a href=\"/Secrets/Trash\">Trash</a>.",
            n => $"{n} secret{(n == 1 ? "" : "s")} moved to the Trash.");
    }

    public async Task<IActionResult> OnPostBulkTransferAsync(string? ids, Guid? newOwnerId)
    {
        var selected = BulkIds.Parse(ids);
        var result = !selected.IsOk ? selected.As<BulkDone>()
            : newOwnerId is null ? Result<BulkDone>.Invalid("NewOwnerId", SecretService.ChooseOwnerMessage)
            : await bulk.TransferOwnershipAsync(Me, selected.Value!, newOwnerId.Value);
        // The dialog's owner field has its own slot, apart from the editor's transfer field that may be on the page too.
        result = result with { Errors = [.. result.Errors.Select(e => e.Field == "NewOwnerId" ? e with { Field = "BulkOwner" } : e)] };
        return BulkDone(result, "secrets-bulk-transferred", selected.Value, ["BulkOwner"],
            n => $"{n} secret{(n == 1 ? " was" : "s were")} given to their new owner.",
            n => $"{n} secret{(n == 1 ? "" : "s")} transferred to their new owner.");
    }

    private async Task<IActionResult> BulkDialogAsync(string? ids, Func<IReadOnlyList<Guid>, Task<Result<BulkSelection>>> preview, string partial, IReadOnlyList<MemberRow> members)
    {
        var selected = BulkIds.Parse(ids);
        var result = selected.IsOk ? await preview(selected.Value!) : selected.As<BulkSelection>();
        return Partial(partial, new BulkDialogView(result.Value, result.Errors, members));
    }

    /// <summary>
    /// After a bulk change: htmx gets a line saying what happened and an event naming the changed ids; a refusal only
    /// places its messages in the dialog. A plain post is redirected, or refused with the messages.
    /// </summary>
    private IActionResult BulkDone(Result<BulkDone> result, string trigger, IReadOnlyList<Guid>? ids, IReadOnlyList<string> fields, Func<int, string> said, Func<int, string> toast)
    {
        if (!result.IsOk)
        {
            if (!Request.IsHtmx()) return BadRequest(string.Join(" ", result.Errors.Select(e => e.Message)));
            Response.Htmx(h => h.Reswap("none"));
            return Partial("_FieldErrors", new FieldErrorsView(fields, result.Errors, AlertId: "bulk-alert", Prefix: ""));
        }

        this.Toast(toast(result.Value!.Count));
        if (!Request.IsHtmx()) return RedirectToPage();
        Response.Htmx(h => h.WithTrigger(trigger, new { ids }));
        return Content($"<p data-testid=\"bulk-done\">{said(result.Value!.Count)}</p>" +
            "<div class=\"editor-actions\"><button type=\"button\" class=\"button\" data-close-dialog>Close</button></div>", "text/html");
    }

    /// <summary>After a save: htmx gets the fresh editor and an event carrying the grid row; a plain post is redirected.</summary>
    private async Task<IActionResult> SavedAsync(Result<SavedSecret> result, bool created, Guid? id, Func<string, string> said)
    {
        if (!result.IsOk) return await RefusedAsync(id, result.Errors);
        if (result.Value!.NothingChanged)
        {
            this.Toast(SavedSecret.NothingToSaveMessage);
            if (!Request.IsHtmx()) return RedirectToPage(null, "Edit", new { id = result.Value.Id });
            Response.Htmx(h => h.Reswap("none"));
            return Content("", "text/html");
        }

        if (!Request.IsHtmx())
        {
            this.Toast(said(result.Value.Name));
            return RedirectToPage(null, "Edit", new { id = result.Value.Id });
        }

        // The editor as the write left it; a creation's is read after the commit.
        var saved = result.Value.Editor ?? (await secrets.GetAsync(Me, result.Value.Id)).Value;
        if (saved is null) return NotFound();
        this.Toast(said(saved.Name));

        var row = saved.ToRow();
        Response.Htmx(h => h.WithTrigger("secret-saved", new
        {
            id = row.Id, name = row.Name, description = row.Description, dev = row.Dev, staging = row.Staging,
            prod = row.Prod, owner = row.Owner, created = row.Created, prodShared = row.ProdShared, isNew = created,
        }));
        ModelState.Clear();
        return ShowEditor(saved);
    }

    /// <summary>
    /// A refused save. htmx keeps the form as the user left it (typed values included, which the server must never echo
    /// back) and only places each message next to its field. A plain post re-renders the page with the messages.
    /// </summary>
    private async Task<IActionResult> RefusedAsync(Guid? id, IReadOnlyList<FieldError> errors)
    {
        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.Reswap("none"));
            var refused = new SaveRefusedView(errors, IsNew: id is null);
            foreach (var message in refused.Errors.FormMessages) this.Toast(message, ToastKind.Error);
            return Partial("_SaveRefused", refused);
        }

        ModelState.AddErrors(errors);
        var current = id is null ? null : (await secrets.GetAsync(Me, id.Value)).Value;
        Editor = ViewFor(current, keepInput: true);
        return Page();
    }

    private IActionResult ShowEditor(SecretDetails? secret)
    {
        var view = ViewFor(secret, keepInput: false);
        if (Request.IsHtmx())
        {
            Response.Headers.Vary = "HX-Request";
            return Partial("_Editor", view);
        }

        Editor = view;
        return Page();
    }

    private SecretEditorView ViewFor(SecretDetails? secret, bool keepInput) =>
        new(secret, keepInput ? Input.WithoutValues() : SecretForm.From(secret));
}

/// <summary>The members a secret may be given to, as the options of a list; <see cref="Selected"/> chosen.</summary>
public sealed record OwnerOptionsView(IReadOnlyList<MemberRow> Members, Guid? Selected);

/// <summary>A bulk dialog: the selection it acts on (null when refused, with <see cref="Errors"/> saying why) and, for a transfer, who could own it.</summary>
public sealed record BulkDialogView(BulkSelection? Selection, IReadOnlyList<FieldError> Errors, IReadOnlyList<MemberRow> Members)
{
    /// <summary>The ids the dialog's form posts: only those of the secrets the dialog lists.</summary>
    public string Ids => Selection is null ? "" : string.Join(",", Selection.Ids);
}

/// <summary>The grid's selection as it is posted: secret ids separated by commas (one field, so thousands fit the form limits).</summary>
public static class BulkIds
{
    public const string InvalidMessage = "The selection could not be read. Reload the page and select again.";

    public static Result<IReadOnlyList<Guid>> Parse(string? ids)
    {
        var parts = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return Result<IReadOnlyList<Guid>>.Invalid("", BulkSecretService.EmptySelectionMessage);
        if (parts.Length > BulkSecretService.MaxSelection) return Result<IReadOnlyList<Guid>>.Invalid("", BulkSecretService.TooManyMessage(parts.Length));
        var parsed = new List<Guid>(parts.Length);
        foreach (var part in parts)
        {
            if (!Guid.TryParseExact(part, "D", out var id)) return Result<IReadOnlyList<Guid>>.Invalid("", InvalidMessage);
            parsed.Add(id);
        }

        return Result<IReadOnlyList<Guid>>.Ok(parsed);
    }
}

/// <summary>The warning slot of one value field (<see cref="SecretRules.ValueWarning"/>); empty when <see cref="Message"/> is null.</summary>
public sealed record ValueWarningView(SecretEnvironment Environment, string? Message, bool OutOfBand);

/// <summary>
/// A refused save placed by htmx: the field errors as everywhere, and for each environment its value warning (or nothing)
/// with the "Save anyway" box. The typed values stay in the browser's fields: nothing here repeats them.
/// </summary>
public sealed record SaveRefusedView(IReadOnlyList<FieldError> All, bool IsNew)
{
    private static readonly HashSet<string> WarningFields = [.. Enum.GetValues<SecretEnvironment>().Select(SecretRules.ConfirmField)];

    /// <summary>The editor's fields (a new secret's form has no transfer field) and their messages.</summary>
    public FieldErrorsView Errors => new(IsNew ? SecretForm.NewFieldNames : SecretForm.FieldNames, [.. All.Where(e => !WarningFields.Contains(e.Field))], AlertId: "editor-alert");

    public string? WarningFor(SecretEnvironment environment) =>
        All.Where(e => e.Field == SecretRules.ConfirmField(environment)).Select(e => e.Message).FirstOrDefault();
}

/// <summary>
/// The editor's form. Value fields arrive only when the user typed in them (the page's script gives an untouched
/// value field no name), so "not in the request" means "leave the stored ciphertext alone".
/// </summary>
public sealed class SecretForm
{
    public static readonly IReadOnlyList<string> NewFieldNames = ["Name", "Description", "Development", "Staging", "Production"];

    public static readonly IReadOnlyList<string> FieldNames = [.. NewFieldNames, "NewOwnerId"];

    [Display(Name = "Name")]
    public string? Name { get; set; }

    [Display(Name = "Description")]
    public string? Description { get; set; }

    public int? Version { get; set; }

    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string? Development { get; set; }

    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string? Staging { get; set; }

    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string? Production { get; set; }

    public bool RemoveDevelopment { get; set; }

    public bool RemoveStaging { get; set; }

    public bool RemoveProduction { get; set; }

    public string? ValueFor(SecretEnvironment environment) => environment switch
    {
        SecretEnvironment.Development => Development,
        SecretEnvironment.Staging => Staging,
        _ => Production,
    };

    private bool RemoveFor(SecretEnvironment environment) => environment switch
    {
        SecretEnvironment.Development => RemoveDevelopment,
        SecretEnvironment.Staging => RemoveStaging,
        _ => RemoveProduction,
    };

    /// <summary>
    /// Only the environments the user touched: those given a new value, and those whose Remove box is ticked. An empty
    /// value field means "unchanged": a value is removed only through its Remove field.
    /// </summary>
    public (Dictionary<SecretEnvironment, string> NewValues, List<SecretEnvironment> Removed) Changes()
    {
        var environments = Enum.GetValues<SecretEnvironment>();
        var newValues = environments.Where(e => !string.IsNullOrEmpty(ValueFor(e))).ToDictionary(e => e, e => ValueFor(e)!);
        return (newValues, environments.Where(RemoveFor).ToList());
    }

    public bool ConfirmDevelopment { get; set; }

    public bool ConfirmStaging { get; set; }

    public bool ConfirmProduction { get; set; }

    /// <summary>The environments whose warned-about value the person chose to store anyway.</summary>
    public List<SecretEnvironment> Confirmed() =>
        [.. Enum.GetValues<SecretEnvironment>().Where(e => e switch
        {
            SecretEnvironment.Development => ConfirmDevelopment,
            SecretEnvironment.Staging => ConfirmStaging,
            _ => ConfirmProduction,
        })];

    public SecretForm WithoutValues() => new() { Name = Name, Description = Description, Version = Version };

    public static SecretForm From(SecretDetails? secret) =>
        secret is null ? new SecretForm() : new SecretForm { Name = secret.Name, Description = secret.Description, Version = secret.Version };
}
