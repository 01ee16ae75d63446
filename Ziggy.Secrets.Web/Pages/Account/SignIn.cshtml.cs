using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Pages.Account;

[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(SignInService signIn) : PageModel
{
    [BindProperty]
    public SignInForm Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();

        var result = await signIn.SignInAsync(Input.Email, Input.Password);
        if (!result.IsOk)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        if (result.Value == SignInStep.CodeRequired) return RedirectToPage("/Account/SignInTwoFactor", new { ReturnUrl });

        // Only local paths: a crafted returnUrl must not send a freshly signed-in user elsewhere.
        return Url.IsLocalUrl(ReturnUrl) ? LocalRedirect(ReturnUrl!) : RedirectToPage("/Index");
    }

    public sealed class SignInForm
    {
        [Display(Name = "Email")]
        [Required(ErrorMessage = "Enter your email address.")]
        [StringLength(256, ErrorMessage = "The email address can be at most 256 characters.")]
        public string Email { get; set; } = "";

        [Display(Name = "Password")]
        [Required(ErrorMessage = "Enter your password.")]
        [StringLength(256, ErrorMessage = "Passwords can be at most 256 characters.")]
        public string Password { get; set; } = "";
    }
}
