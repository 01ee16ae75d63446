using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ziggy.Secrets.Web.Pages;

/// <summary>The home page is the Secrets page.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Secrets/Index");
}
