using Htmx;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>While no user exists, every page leads to the first-run setup page.</summary>
public sealed class SetupGateMiddleware(RequestDelegate next)
{
    public const string SetupPath = "/Setup";

    public async Task InvokeAsync(HttpContext context, SetupService setup)
    {
        var isPage = context.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>() is not null;
        if (isPage && !context.Request.Path.StartsWithSegments(SetupPath) && await setup.IsRequiredAsync())
        {
            if (context.Request.IsHtmx()) context.Response.Htmx(h => h.Redirect(SetupPath));
            else context.Response.Redirect(SetupPath);
            return;
        }

        await next(context);
    }
}
