using Microsoft.AspNetCore.Identity;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Operations;

/// <summary>
/// Prints a one-time link for a user who is locked out. The token travels in the URL fragment, which browsers never send
/// to a server (so it lands in no access log); the page's script moves it into the form.
/// </summary>
public static class ResetPasswordCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, string email, string baseUrl, TextWriter output, TextWriter error)
    {
        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            error.WriteLine($"No account has the email {email}.");
            return 1;
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        output.WriteLine($"One-time password reset link for {user.DisplayName} <{user.Email}> (valid for a day, works once):");
        output.WriteLine($"{baseUrl.TrimEnd('/')}/Account/ResetPassword#{Uri.EscapeDataString(user.Email!)}:{token}");
        return 0;
    }
}
