using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Account;

public sealed class ChangePasswordModel(PasswordService passwords, SignInService signIn) : PageModel
{
    [BindProperty]
    public ChangePasswordForm Input { get; set; } = new();

    public bool Done { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();

        var result = await passwords.ChangeAsync(CurrentUser.Required(User), Input.CurrentPassword, Input.Password);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (!result.IsOk)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        // Every session ended, this one too: clear its cookie, and render the answer as to a signed-out visitor.
        await signIn.SignOutAsync();
        HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity());
        Done = true;
        return Page();
    }

    public sealed class ChangePasswordForm : PasswordForm
    {
        [Display(Name = "Current password")]
        [Required(ErrorMessage = "Enter your current password.")]
        [StringLength(256, ErrorMessage = "Passwords can be at most 256 characters.")]
        public string CurrentPassword { get; set; } = "";
    }
}
