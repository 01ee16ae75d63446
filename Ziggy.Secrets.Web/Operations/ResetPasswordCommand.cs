using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Operations;

/// <summary>
/// Prints a one-time password reset link, the same kind an Admin makes on the Team page (valid for an hour, works once,
/// recorded in the audit trail): for the operator when no Admin can sign in. The token travels in the URL fragment, which
/// browsers never send to a server (so it lands in no access log); the page's script moves it into the form.
/// </summary>
public static class ResetPasswordCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, string email, string baseUrl, TextWriter output, TextWriter error)
    {
        using var scope = services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<PasswordResetService>().CreateForOperatorAsync(email);
        if (result.Outcome == Outcome.NotFound)
        {
            error.WriteLine($"No account has the email {email}.");
            return 1;
        }

        var link = result.Value!;
        output.WriteLine($"One-time password reset link for {link.DisplayName} <{link.Email}> (valid for one hour, until {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC; works once):");
        output.WriteLine(baseUrl.TrimEnd('/') + PasswordResetLink.LinkPath(link.Token));
        return 0;
    }
}
