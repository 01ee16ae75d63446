using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ziggy.Secrets.Web.Pages;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Message { get; private set; } = "The request could not be completed. Nothing was changed.";

    /// <summary>Set when the caller's role may not open the requested area: the layout then links back to Secrets.</summary>
    public bool Forbidden { get; private set; }

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        (Title, Message) = code switch
        {
            404 => ("Not found", "There is nothing here, or you do not have access to it."),
            400 => ("Bad request", "The form could not be accepted. Reload the page and try again."),
            403 => Refusal(HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath),
            _ => (Title, Message),
        };
        Forbidden = code == 403;
    }

    /// <summary>Names the area by the folder of the refused path; anything else gets a generic refusal.</summary>
    private static (string, string) Refusal(string? path)
    {
        var folder = (path ?? "").TrimStart('/').Split('/')[0].ToLowerInvariant();
        return folder switch
        {
            "audit" => ("Audit is for Admins", "Only Admins of your organization can read its audit trail."),
            "team" => ("Team is for Admins", "Only Admins of your organization can manage its members and invitations."),
            "organizations" => ("Organizations is for SuperAdmins", "Only SuperAdmins can list and create organizations."),
            _ => ("Not allowed", "Your role does not allow this page."),
        };
    }
}
