using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Web.Pages.Audit;

/// <summary>Read-only by design: no handler here (or anywhere) edits or deletes an audit event.</summary>
public sealed class IndexModel(AuditQueries audit) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnGetRowsAsync() =>
        await audit.ListAsync(CurrentUser.Required(User)) is { } rows ? new JsonResult(rows) : NotFound();
}
