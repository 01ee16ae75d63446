using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Pages.Shared;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Web.Pages.Integrations;

public sealed class TokenForm
{
    [Display(Name = "Purpose")]
    public string? Purpose { get; set; }

    [Display(Name = "Environment")]
    public string? Environment { get; set; }

    [Display(Name = "Secrets")]
    public List<Guid> SecretIds { get; set; } = [];

    [Display(Name = "Valid for (days)")]
    public int? ExpiresInDays { get; set; } = AccessTokenService.DefaultDays;

    [Display(Name = "Allowed networks (optional)")]
    public string? Networks { get; set; }
}

/// <summary>
/// Access tokens for machines: the list (administrators see the organization's, others their own), revocation, and the
/// form that creates one. A new token is shown once, in the answer to the form, and never stored in a form of its own.
/// </summary>
public sealed class TokensModel(AccessTokenService tokens) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public TokenForm Input { get; set; } = new();

    /// <summary>The secret picker's search (the page filters as you type; without JavaScript the Filter button does it).</summary>
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<AccessTokenListItem> Tokens { get; private set; } = [];

    public IReadOnlyList<PickableSecret> Pickable { get; private set; } = [];

    public OneTimeLinkView? Created { get; private set; }

    public string? CreatedPurpose { get; private set; }

    public string? Notice { get; private set; }

    private CurrentUser Me => CurrentUser.Required(User);

    /// <summary>The picker's secrets after the search; chosen ones always stay in view.</summary>
    public IEnumerable<PickableSecret> Shown => string.IsNullOrWhiteSpace(Q)
        ? Pickable
        : Pickable.Where(s => Input.SecretIds.Contains(s.Id) || s.Name.Contains(Q.Trim(), StringComparison.OrdinalIgnoreCase)
            || s.Description.Contains(Q.Trim(), StringComparison.OrdinalIgnoreCase));

    public async Task<IActionResult> OnGetAsync()
    {
        // The form's values come back in the query only from the no-JavaScript Filter button: nothing was submitted yet.
        ModelState.Clear();
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        if (ModelState.IsValid)
        {
            var result = await tokens.CreateAsync(Me, new AccessTokenDraft(Input.Purpose, Input.Environment, Input.SecretIds, Input.ExpiresInDays, Input.Networks));
            if (result.IsOk)
            {
                Created = new OneTimeLinkView("new-token", result.Value!.Token, "New access token", "new-token");
                CreatedPurpose = result.Value.Purpose;
                ModelState.Clear();
                Input = new TokenForm();
                Q = null;
            }
            else ModelState.AddErrors(result.Errors);
        }

        return await ContentAsync();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id)
    {
        var result = await tokens.RevokeAsync(Me, id);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (!Request.IsHtmx()) return RedirectToPage();
        ModelState.Clear();
        Input = new TokenForm();
        Notice = "The token was revoked. It stops working at once.";
        return await ContentAsync();
    }

    private async Task<IActionResult> ContentAsync()
    {
        await LoadAsync();
        return Request.IsHtmx() ? Partial("_Tokens", this) : Page();
    }

    private async Task LoadAsync()
    {
        Tokens = await tokens.ListAsync(Me);
        Pickable = await tokens.PickableAsync(Me);
    }
}
