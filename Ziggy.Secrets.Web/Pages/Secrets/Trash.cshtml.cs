using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Pages.Shared;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Pages.Secrets;

/// <summary>
/// The organization's Trash: the caller's own deleted secrets (an administrator's: all of them), each with Restore and
/// Delete permanently. Plain forms, redirected after success; a refusal shows the page again with the message on its row.
/// </summary>
public sealed class TrashModel(TrashService trash) : PageModel
{
    public IReadOnlyList<TrashItem> Items { get; private set; } = [];

    /// <summary>The row whose restore or delete was refused, with the messages and what was typed as the new name.</summary>
    public (Guid Id, string Action, IReadOnlyList<FieldError> Errors, string? NewName)? Refused { get; private set; }

    [TempData]
    public string? Message { get; set; }

    private CurrentUser Me => CurrentUser.Required(User);

    public async Task OnGetAsync() => Items = await trash.ListAsync(Me);

    public async Task<IActionResult> OnPostRestoreAsync(Guid id, string? newName) =>
        await AnsweredAsync(id, "Restore", await trash.RestoreAsync(Me, id, newName), newName, name => $"{name} was restored to the Secrets page.");

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, string? confirm) =>
        await AnsweredAsync(id, "Delete", await trash.DeletePermanentlyAsync(Me, id, confirm), null, name => $"{name} was deleted permanently.");

    public IReadOnlyList<string> ErrorsFor(Guid id, string action, string field) =>
        Refused is { } refused && refused.Id == id && refused.Action == action
            ? refused.Errors.Where(e => e.Field == field).Select(e => e.Message).ToList()
            : [];

    private async Task<IActionResult> AnsweredAsync(Guid id, string action, Result<string> result, string? newName, Func<string, string> done)
    {
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (result.IsOk)
        {
            Message = done(result.Value!);
            this.Toast(Message);
            return RedirectToPage();
        }

        Refused = (id, action, result.Errors, newName);
        Items = await trash.ListAsync(Me);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
