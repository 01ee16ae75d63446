using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Invitations;

[EnableRateLimiting(RateLimits.InvitationAcceptance)]
public sealed class AcceptModel(InvitationService invitations, SignInManager<ApplicationUser> signIn) : PageModel
{
    public const string UnknownMessage = "This invitation link is not valid. Check that you copied the whole link.";

    [FromRoute]
    public string Token { get; set; } = "";

    [BindProperty]
    public NewAccountForm Input { get; set; } = new();

    public InvitationView? Invitation { get; private set; }

    public string? Problem { get; private set; }

    private Outcome _outcome;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Invalid();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync()) return Invalid();
        if (!ModelState.IsValid) return Page();

        var result = await invitations.AcceptAsync(Token, new AcceptInvitationInput(Input.DisplayName, Input.Password));
        if (!result.IsOk)
        {
            if (result.Outcome is Outcome.NotFound or Outcome.Conflict)
            {
                Invitation = null;
                _outcome = result.Outcome;
                Problem = result.Errors.FirstOrDefault()?.Message ?? UnknownMessage;
                return Invalid();
            }

            ModelState.AddErrors(result.Errors);
            return Page();
        }

        await signIn.SignInAsync(result.Value!, isPersistent: false);
        return RedirectToPage("/Index");
    }

    private async Task<bool> LoadAsync()
    {
        var opened = await invitations.OpenAsync(Token);
        Invitation = opened.Value;
        _outcome = opened.Outcome;
        Problem = opened.IsOk ? null : opened.Errors.FirstOrDefault()?.Message ?? UnknownMessage;
        return opened.IsOk;
    }

    private PageResult Invalid()
    {
        // An unknown link is 404; a used or expired one is 410 Gone. Either way the page says why in words.
        Response.StatusCode = _outcome == Outcome.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone;
        return Page();
    }
}
