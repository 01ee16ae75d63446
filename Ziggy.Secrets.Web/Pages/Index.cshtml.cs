using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Pages;

public sealed class IndexModel(ZiggyDbContext db) : PageModel
{
    public CurrentUser Me { get; private set; } = null!;

    public string OrganizationName { get; private set; } = "";

    public async Task OnGetAsync()
    {
        Me = CurrentUser.Required(User);
        OrganizationName = await db.Organizations.Where(o => o.Id == Me.OrganizationId).Select(o => o.Name).FirstAsync();
    }
}
