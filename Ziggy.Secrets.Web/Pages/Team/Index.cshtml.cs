using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Team;

public sealed record MemberRowView(MemberRow Member, bool CanManage, bool IsSelf, IReadOnlyList<Role> AssignableRoles, string? Error = null);

public sealed class IndexModel(TeamService team) : PageModel
{
    [BindProperty]
    public InviteForm Invite { get; set; } = new();

    public TeamView Team { get; private set; } = new("", [], []);

    public InvitationLinkView? CreatedInvitation { get; private set; }

    private CurrentUser Me => CurrentUser.Required(User);

    public IReadOnlyList<Role> AssignableRoles => Roles.AssignableBy(Me.Role);

    private readonly Dictionary<Guid, string> _rowErrors = [];

    public MemberRowView RowFor(MemberRow member, string? error = null) => new(
        member,
        CanManage: member.Id != Me.UserId && member.Role.Priority() <= Me.Role.Priority(),
        IsSelf: member.Id == Me.UserId,
        AssignableRoles,
        error ?? _rowErrors.GetValueOrDefault(member.Id));

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostInviteAsync()
    {
        if (ModelState.IsValid)
        {
            var result = await team.InviteAsync(Me, Invite.Email, Invite.Role!.Value);
            if (result.Outcome == Outcome.NotFound) return NotFound();
            if (result.IsOk)
            {
                CreatedInvitation = InvitationLinkView.For(result.Value!, Request);
                ModelState.Clear();
                Invite = new InviteForm();
            }
            else ModelState.AddErrors(result.Errors, prefix: nameof(Invite));
        }

        if (Request.IsHtmx()) return Partial("_InviteForm", this);
        return await LoadAsync() ? Page() : NotFound();
    }

    public Task<IActionResult> OnPostRoleAsync(Guid id, Role? role) =>
        role is null
            ? RowAsync(id, Result<MemberRow>.Invalid("Role", "Choose a role."))
            : ChangeAsync(id, () => team.ChangeRoleAsync(Me, id, role.Value));

    public Task<IActionResult> OnPostStatusAsync(Guid id, bool? active) =>
        active is null
            ? RowAsync(id, Result<MemberRow>.Invalid("Status", "Choose whether the member is active."))
            : ChangeAsync(id, () => team.SetActiveAsync(Me, id, active.Value));

    private async Task<IActionResult> ChangeAsync(Guid id, Func<Task<Result<MemberRow>>> change) =>
        await RowAsync(id, await change());

    /// <summary>htmx gets the member's row back (with the refusal in it); a plain form post gets the page.</summary>
    private async Task<IActionResult> RowAsync(Guid id, Result<MemberRow> result)
    {
        if (result.Outcome == Outcome.NotFound) return NotFound();
        var error = result.IsOk ? null : result.Errors[0].Message;
        if (Request.IsHtmx())
        {
            var member = result.Value ?? (await team.GetMemberAsync(Me, id)).Value;
            return member is null ? NotFound() : Partial("_MemberRow", RowFor(member, error));
        }

        if (error is null) return RedirectToPage();
        _rowErrors[id] = error;
        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync()
    {
        var loaded = await team.GetTeamAsync(Me);
        if (loaded.IsOk) Team = loaded.Value!;
        return loaded.IsOk;
    }
}
