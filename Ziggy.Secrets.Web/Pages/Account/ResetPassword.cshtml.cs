using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Pages.Account;

/// <summary>
/// Where a password reset link leads. Its token is in the URL fragment, which never reaches the server on the way in: the
/// page's script moves it into the form.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public sealed class ResetPasswordModel(PasswordResetService resets) : PageModel
{
    [BindProperty]
    public ResetForm Input { get; set; } = new();

    public bool Done { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();

        var result = await resets.ResetAsync(Input.Token ?? "", Input.Password);
        if (!result.IsOk)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        Done = true;
        return Page();
    }

    public sealed class ResetForm : Shared.PasswordForm
    {
        public string? Token { get; set; }
    }
}
