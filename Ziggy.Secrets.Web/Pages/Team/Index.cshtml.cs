using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Hosting;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Team;

/// <summary>A member's row; <paramref name="ResetOpenUntil"/> when they have an open reset link, <paramref name="CreatedReset"/> right after one was made.</summary>
public sealed record MemberRowView(MemberRow Member, bool CanManage, bool IsSelf, IReadOnlyList<Role> AssignableRoles, string? Error = null,
    string? Notice = null, DateTimeOffset? ResetOpenUntil = null, OneTimeLinkView? CreatedReset = null);

public sealed class IndexModel(TeamService team, PasswordResetService resets, PublicLinks links) : PageModel
{
    [BindProperty]
    public InviteForm Invite { get; set; } = new();

    public TeamView Team { get; private set; } = new("", [], []);

    public InvitationLinkView? CreatedInvitation { get; private set; }

    /// <summary>The new link of an invitation just re-issued, shown once.</summary>
    public InvitationLinkView? ReissuedInvitation { get; private set; }

    /// <summary>Why an invitation was not revoked or re-issued.</summary>
    public string? InvitationError { get; private set; }

    /// <summary>The roles the invitation form and the role selects offer.</summary>
    public IReadOnlyList<Role> AssignableRoles { get; private set; } = [];

    private CurrentUser Me => CurrentUser.Required(User);

    private readonly Dictionary<Guid, string> _rowErrors = [];

    /// <summary>Why the two-factor requirement was not changed.</summary>
    public string? TwoFactorRequirementError { get; private set; }

    private readonly Dictionary<Guid, OneTimeLinkView> _createdResets = [];

    private IReadOnlyDictionary<Guid, DateTimeOffset> _openResets = new Dictionary<Guid, DateTimeOffset>();

    public MemberRowView RowFor(TeamMember member, string? error = null, string? notice = null) => new(
        member.Member,
        member.CanManage,
        IsSelf: member.Member.Id == Me.UserId,
        AssignableRoles,
        error ?? _rowErrors.GetValueOrDefault(member.Member.Id),
        notice,
        _openResets.TryGetValue(member.Member.Id, out var until) ? until : null,
        _createdResets.GetValueOrDefault(member.Member.Id));

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostInviteAsync()
    {
        if (ModelState.IsValid)
        {
            var result = await team.InviteAsync(Me, Invite.Email, Invite.Role!.Value);
            if (result.Outcome == Outcome.NotFound) return NotFound();
            if (result.IsOk)
            {
                CreatedInvitation = InvitationLinkView.For(result.Value!, links);
                this.Toast($"Invitation created for {result.Value!.Email}.");
                // The open invitations list reloads itself (the same answer whoever the address belongs to).
                if (Request.IsHtmx()) Response.Htmx(h => h.WithTrigger("ziggy-invitations-changed"));
                ModelState.Clear();
                Invite = new InviteForm();
            }
            else ModelState.AddErrors(result.Errors, prefix: nameof(Invite));
        }

        if (!await LoadAsync()) return NotFound();
        return Request.IsHtmx() ? Partial("_InviteForm", this) : Page();
    }

    public Task<IActionResult> OnPostRoleAsync(Guid id, Role? role) =>
        role is null
            ? RowAsync(id, Result<MemberRow>.Invalid("Role", "Choose a role."))
            : ChangeAsync(id, () => team.ChangeRoleAsync(Me, id, role.Value));

    public Task<IActionResult> OnPostStatusAsync(Guid id, bool? active) =>
        active is null
            ? RowAsync(id, Result<MemberRow>.Invalid("Status", "Choose whether the member is active."))
            : ChangeAsync(id, () => team.SetActiveAsync(Me, id, active.Value));

    public Task<IActionResult> OnPostSignOutEverywhereAsync(Guid id) =>
        ChangeAsync(id, () => team.SignOutEverywhereAsync(Me, id), notice: "Signed out everywhere.");

    public Task<IActionResult> OnPostTwoFactorResetAsync(Guid id) => ChangeAsync(id, () => team.ResetTwoFactorAsync(Me, id));

    public async Task<IActionResult> OnPostTwoFactorRequirementAsync(TwoFactorRequirement? requirement)
    {
        var result = requirement is null
            ? Result<TwoFactorRequirement>.Invalid("TwoFactorRequirement", "Choose who must use two-factor sign-in.")
            : await team.SetTwoFactorRequirementAsync(Me, requirement.Value);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (result.IsOk) return RedirectToPage();
        TwoFactorRequirementError = result.Errors[0].Message;
        return await LoadAsync() ? Page() : NotFound();
    }

    /// <summary>A one-time password reset link for the member, shown once in their row with a copy button.</summary>
    public async Task<IActionResult> OnPostResetAsync(Guid id)
    {
        var result = await resets.CreateAsync(Me, id);
        if (result.IsOk)
        {
            _createdResets[id] = new OneTimeLinkView($"reset-link-{id}", links.For(PasswordResetLink.LinkPath(result.Value!.Token)),
                $"Password reset link for {result.Value.DisplayName}", "reset-link");
        }

        return await RowAsync(id, result.Outcome, result.Errors);
    }

    public async Task<IActionResult> OnPostRevokeResetAsync(Guid id)
    {
        var result = await resets.RevokeAsync(Me, id);
        return await RowAsync(id, result.Outcome, result.Errors);
    }

    /// <summary>The open invitations section, for htmx after an invitation was created.</summary>
    public async Task<IActionResult> OnGetInvitationsAsync() => await LoadAsync() ? Partial("_Invitations", this) : NotFound();

    public async Task<IActionResult> OnPostRevokeInvitationAsync(Guid id)
    {
        var result = await team.RevokeInvitationAsync(Me, id);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (result.IsOk) this.Toast($"Invitation for {result.Value!.Email} revoked.");
        else InvitationError = result.Errors[0].Message;
        return await InvitationsAsync();
    }

    public async Task<IActionResult> OnPostReissueInvitationAsync(Guid id)
    {
        var result = await team.ReissueInvitationAsync(Me, id);
        if (result.Outcome == Outcome.NotFound) return NotFound();
        if (result.IsOk)
        {
            ReissuedInvitation = InvitationLinkView.For(result.Value!, links);
            this.Toast($"New invitation link created for {result.Value!.Email}.");
        }
        else InvitationError = result.Errors[0].Message;
        return await InvitationsAsync();
    }

    /// <summary>htmx gets the invitations section back; a plain post the page (a new link is shown in this answer only).</summary>
    private async Task<IActionResult> InvitationsAsync()
    {
        if (!Request.IsHtmx() && InvitationError is null && ReissuedInvitation is null) return RedirectToPage();
        if (!await LoadAsync()) return NotFound();
        return Request.IsHtmx() ? Partial("_Invitations", this) : Page();
    }

    private async Task<IActionResult> ChangeAsync(Guid id, Func<Task<Result<MemberRow>>> change, string? notice = null)
    {
        var result = await change();
        return await RowAsync(id, result.Outcome, result.Errors, result.IsOk ? notice : null);
    }

    private Task<IActionResult> RowAsync(Guid id, Result<MemberRow> result) => RowAsync(id, result.Outcome, result.Errors);

    /// <summary>htmx gets the member's row back (with the refusal or <paramref name="notice"/> in it); a plain form post gets the page.</summary>
    private async Task<IActionResult> RowAsync(Guid id, Outcome outcome, IReadOnlyList<FieldError> errors, string? notice = null)
    {
        if (outcome == Outcome.NotFound) return NotFound();
        var error = outcome == Outcome.Ok ? null : errors[0].Message;
        if (Request.IsHtmx())
        {
            // Read again after the change: whether the row still offers changes depends on the member's new role.
            var member = (await team.GetMemberAsync(Me, id)).Value;
            if (member is null) return NotFound();
            AssignableRoles = await team.AssignableRolesAsync(Me);
            _openResets = await resets.OpenLinksAsync(Me);
            return Partial("_MemberRow", RowFor(member, error, notice));
        }

        // A new reset link is shown in this answer only: no redirect that would lose it.
        if (error is null && _createdResets.Count == 0) return RedirectToPage();
        if (error is not null) _rowErrors[id] = error;
        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync()
    {
        var loaded = await team.GetTeamAsync(Me);
        if (!loaded.IsOk) return false;
        Team = loaded.Value!;
        AssignableRoles = await team.AssignableRolesAsync(Me);
        _openResets = await resets.OpenLinksAsync(Me);
        return true;
    }
}
