using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Setup;

[EnableRateLimiting(RateLimits.Setup)]
public sealed class IndexModel(SetupService setup, SignInManager<ApplicationUser> signIn) : PageModel
{
    [BindProperty]
    public SetupForm Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync() => await setup.IsRequiredAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await setup.IsRequiredAsync()) return NotFound();
        if (!ModelState.IsValid) return Page();

        var result = await setup.CompleteAsync(new SetupInput(Input.OrganizationName, Input.Email, Input.DisplayName, Input.Password));
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (!result.IsOk)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        await signIn.SignInAsync(result.Value!, isPersistent: false);
        return RedirectToPage("/Index");
    }
}
