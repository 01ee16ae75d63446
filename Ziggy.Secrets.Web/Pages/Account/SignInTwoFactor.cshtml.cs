using Microsoft.AspNetCore.RateLimiting;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Pages.Account;

/// <summary>The second step of a sign-in with two-factor sign-in on: a code from the authenticator app, or a recovery code.</summary>
[EnableRateLimiting(RateLimits.SecondFactor)]
public sealed class SignInTwoFactorModel(SignInService signIn) : PageModel
{
    [BindProperty]
    public SecondStepForm Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.HasPendingSecondStepAsync() ? Page() : RedirectToPage("/Account/SignIn", new { ReturnUrl });

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.Code)) ModelState.AddModelError("Input.Code", "Enter the 6-digit code from your authenticator app.");
        if (!ModelState.IsValid) return Page();
        return Finish(await signIn.SignInWithCodeAsync(Input.Code!));
    }

    public async Task<IActionResult> OnPostRecoveryAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.RecoveryCode)) ModelState.AddModelError("Input.RecoveryCode", "Enter one of your recovery codes.");
        if (!ModelState.IsValid) return Page();
        return Finish(await signIn.SignInWithRecoveryCodeAsync(Input.RecoveryCode!));
    }

    private IActionResult Finish(Result<SignInStep> result)
    {
        // No password step pending in this browser (or it expired after five minutes): start again.
        if (result.Outcome == Outcome.NotFound) return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        if (!result.IsOk)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        // Only local paths: a crafted returnUrl must not send a freshly signed-in user elsewhere.
        return Url.IsLocalUrl(ReturnUrl) ? LocalRedirect(ReturnUrl!) : RedirectToPage("/Index");
    }

    public sealed class SecondStepForm
    {
        [Display(Name = "Authentication code")]
        [StringLength(20, ErrorMessage = "The code is 6 digits.")]
        public string? Code { get; set; }

        [Display(Name = "Recovery code")]
        [StringLength(40, ErrorMessage = "A recovery code is 10 letters and digits.")]
        public string? RecoveryCode { get; set; }
    }
}
