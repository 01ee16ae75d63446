using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Web.Pages.Account;

[AllowAnonymous]
public sealed class ResetPasswordModel(UserManager<ApplicationUser> users, SessionService sessions) : PageModel
{
    public const string InvalidLinkMessage = "This reset link is not valid or was already used. Ask an operator for a new one.";

    [BindProperty]
    public ResetForm Input { get; set; } = new();

    public bool Done { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var user = await users.FindByEmailAsync(Input.Email ?? "");
        if (user is null || string.IsNullOrEmpty(Input.Token))
        {
            ModelState.AddModelError("", InvalidLinkMessage);
            return Page();
        }

        var result = await users.ResetPasswordAsync(user, Input.Token, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
                ModelState.AddModelError(e.Code == "InvalidToken" ? "" : "Input.Password", e.Code == "InvalidToken" ? InvalidLinkMessage : e.Description);
            return Page();
        }

        // The point of the link is to get a locked-out person back in.
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        // Whoever holds a copy of a cookie of this account is signed out too.
        await sessions.EndAllAndSaveAsync(user.Id, user.Email, AuditActor.Of(user), "Password reset");
        Done = true;
        return Page();
    }

    public sealed class ResetForm : Shared.PasswordForm
    {
        public string? Email { get; set; }

        public string? Token { get; set; }
    }
}
