using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Hosting;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Organizations;

public sealed class IndexModel(TeamService team, PublicLinks links) : PageModel
{
    [BindProperty]
    public NewOrganizationForm Input { get; set; } = new();

    public InvitationLinkView? CreatedInvitation { get; private set; }

    public IReadOnlyList<OrganizationSummary> Organizations { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    private async Task<bool> LoadAsync()
    {
        var list = await team.ListOrganizationsAsync(CurrentUser.Required(User));
        Organizations = list.Value ?? [];
        return list.IsOk;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync()) return NotFound();
        if (!ModelState.IsValid) return Page();

        var result = await team.CreateOrganizationAsync(CurrentUser.Required(User), Input.Name, Input.AdminEmail);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (!result.IsOk)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        // Shown once, in this response only: the link is not stored anywhere it could be read back.
        CreatedInvitation = InvitationLinkView.For(result.Value!, links);
        await LoadAsync();
        ModelState.Clear();
        Input = new NewOrganizationForm();
        return Page();
    }

    public sealed class NewOrganizationForm
    {
        [Display(Name = "Organization name")]
        [Required(ErrorMessage = "Enter the organization's name.")]
        [StringLength(Organization.NameMaxLength, ErrorMessage = "The organization name can be at most 100 characters.")]
        public string Name { get; set; } = "";

        [Display(Name = "Email of its first Admin")]
        [Required(ErrorMessage = "Enter the email address of the organization's first Admin.")]
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        [Normalizable(ErrorMessage = "Enter a valid email address.")]
        [StringLength(256, ErrorMessage = "The email address can be at most 256 characters.")]
        public string AdminEmail { get; set; } = "";
    }
}
