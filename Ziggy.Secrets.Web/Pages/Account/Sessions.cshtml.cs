using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Pages.Account;

/// <summary>The signed-in user's own sessions: where and when, and signing any of them (or all) out.</summary>
public sealed class SessionsModel(SessionService sessions, SignInService signIn) : PageModel
{
    public IReadOnlyList<SessionRow> Sessions { get; private set; } = [];

    private CurrentUser Me => CurrentUser.Required(User);

    private Guid? Current => DatabaseTicketStore.CurrentSessionId(HttpContext);

    public async Task OnGetAsync() => Sessions = await sessions.ListAsync(Me, Current);

    public async Task<IActionResult> OnPostSignOutAsync(Guid id)
    {
        var result = await sessions.SignOutAsync(Me, id);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        return id == Current ? await SignedOutAsync() : RedirectToPage();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        await sessions.SignOutEverywhereAsync(Me);
        return await SignedOutAsync();
    }

    /// <summary>This browser's session is gone: clear its cookie too.</summary>
    private async Task<IActionResult> SignedOutAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage("/Account/SignIn");
    }
}
