using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Hosting;

namespace Ziggy.Secrets.Web.Pages.Account;

/// <summary>The signed-in member's own two-factor sign-in: set it up, new recovery codes, a new app, off.</summary>
public sealed class TwoFactorModel(TwoFactorService twoFactor) : PageModel
{
    [BindProperty]
    public ConfirmForm Input { get; set; } = new();

    [BindProperty]
    public CurrentPasswordForm Manage { get; set; } = new();

    public TwoFactorStatus Status { get; private set; } = new(false, false, TwoFactorRequirement.Off, 0, null);

    /// <summary>The QR code of the key being set up.</summary>
    public string? QrCode { get; private set; }

    /// <summary>Recovery codes just made: they exist in this one response only.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    private CurrentUser Me => CurrentUser.Required(User);

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostStartAsync() => await AfterAsync(await twoFactor.StartAsync(Me));

    public async Task<IActionResult> OnPostConfirmAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.Code))
        {
            ModelState.AddModelError("Input.Code", "Enter the 6-digit code your authenticator app shows.");
            return await LoadAsync() ? Page() : NotFound();
        }

        return await ShowCodesAsync(await twoFactor.ConfirmAsync(Me, Input.Code), prefix: nameof(Input));
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync() =>
        await ShowCodesAsync(await twoFactor.RenewRecoveryCodesAsync(Me, Manage.Password ?? ""), prefix: nameof(Manage));

    public async Task<IActionResult> OnPostReplaceAsync() =>
        await AfterAsync(await twoFactor.ReplaceAuthenticatorAsync(Me, Manage.Password ?? ""), prefix: nameof(Manage));

    public async Task<IActionResult> OnPostDisableAsync() =>
        await AfterAsync(await twoFactor.DisableAsync(Me, Manage.Password ?? ""), prefix: nameof(Manage));

    /// <summary>Recovery codes are answered in this response, never by a redirect to a page that could show them again.</summary>
    private async Task<IActionResult> ShowCodesAsync(Result<IReadOnlyList<string>> result, string prefix)
    {
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (result.IsOk)
        {
            RecoveryCodes = result.Value;
            ModelState.Clear();
        }
        else ModelState.AddErrors(result.Errors, prefix);

        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<IActionResult> AfterAsync(Result<bool> result, string prefix = nameof(Input))
    {
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (result.IsOk) return RedirectToPage();
        ModelState.AddErrors(result.Errors, prefix);
        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync()
    {
        var status = await twoFactor.GetStatusAsync(Me);
        if (!status.IsOk) return false;
        Status = status.Value!;
        QrCode = Status.Setup is null ? null : QrCodeImage.SvgDataUri(Status.Setup.Uri);
        return true;
    }

    public sealed class ConfirmForm
    {
        [Display(Name = "Code from the app")]
        [StringLength(20, ErrorMessage = "The code is 6 digits.")]
        public string? Code { get; set; }
    }

    public sealed class CurrentPasswordForm
    {
        [Display(Name = "Your password")]
        [StringLength(256, ErrorMessage = "Passwords can be at most 256 characters.")]
        public string? Password { get; set; }
    }
}
