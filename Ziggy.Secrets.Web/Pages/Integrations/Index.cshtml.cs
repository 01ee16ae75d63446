using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Web.Pages.Integrations;

public sealed class IndexModel(IntegrationService integrations) : PageModel
{
    public IReadOnlyList<IntegrationListItem> Integrations { get; private set; } = [];

    public async Task OnGetAsync() => Integrations = await integrations.ListAsync(CurrentUser.Required(User));
}
