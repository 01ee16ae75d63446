using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Pages.Account;

/// <summary>POST only (with antiforgery), so a link or an image on another site cannot sign anyone out.</summary>
[AllowAnonymous]
public sealed class SignOutModel(SignInService signIn) : PageModel
{
    public IActionResult OnGet() => NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage("/Account/SignIn");
    }
}
