using System.ComponentModel.DataAnnotations;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Hosting;

namespace Ziggy.Secrets.Web.Pages.Shared;

// Inputs shared by the account forms. Messages are written for people, and the same everywhere.

public class NewAccountForm : PasswordForm
{
    [Display(Name = "Your name")]
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(ApplicationUser.DisplayNameMaxLength, ErrorMessage = "Your name can be at most 100 characters.")]
    public string DisplayName { get; set; } = "";
}

public class PasswordForm
{
    [Display(Name = "Password")]
    [Required(ErrorMessage = "Choose a password.")]
    [MinLength(12, ErrorMessage = ZiggyIdentityErrors.PasswordTooShortMessage)]
    [MaxLength(256, ErrorMessage = "Passwords can be at most 256 characters.")]
    public string Password { get; set; } = "";

    [Display(Name = "Confirm password")]
    [Required(ErrorMessage = "Type the password again.")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
    public string ConfirmPassword { get; set; } = "";
}

public sealed class SetupForm : NewAccountForm
{
    [Display(Name = "Organization name")]
    [Required(ErrorMessage = "Enter the organization's name.")]
    [StringLength(Organization.NameMaxLength, ErrorMessage = "The organization name can be at most 100 characters.")]
    public string OrganizationName { get; set; } = "";

    [Display(Name = "Email")]
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Normalizable(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most 256 characters.")]
    public string Email { get; set; } = "";
}

public sealed record InvitationLinkView(CreatedInvitation Invitation, string Url)
{
    /// <summary>The link to the Accept page for this invitation's token (see <see cref="PublicLinks"/>).</summary>
    public static InvitationLinkView For(CreatedInvitation invitation, PublicLinks links) =>
        new(invitation, links.For(InvitationToken.LinkPath(invitation.Token)));
}

/// <summary>
/// A link shown once, with a copy button (Pages/Shared/_OneTimeLink). Without a configured public URL it is a path, which
/// wwwroot/js/links.js completes with the origin the browser is on.
/// </summary>
public sealed record OneTimeLinkView(string Id, string Url, string Label, string TestId);

public sealed class InviteForm
{
    [Display(Name = "Email")]
    [Required(ErrorMessage = "Enter the email address to invite.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Normalizable(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most 256 characters.")]
    public string Email { get; set; } = "";

    [Display(Name = "Role")]
    [Required(ErrorMessage = "Choose a role.")]
    public Role? Role { get; set; } = Accounts.Role.Member;
}
