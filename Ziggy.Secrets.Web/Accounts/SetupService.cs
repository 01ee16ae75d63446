using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Remembers, per running instance, that setup is over: once a user exists that never changes back.</summary>
public sealed class SetupState
{
    internal readonly SemaphoreSlim Gate = new(1, 1);

    internal volatile bool Completed;
}

public sealed record SetupInput(string OrganizationName, string Email, string DisplayName, string Password);

/// <summary>First run: creates the organization and its first user, a SuperAdmin. Only while no user exists.</summary>
public sealed class SetupService(ZiggyDbContext db, UserManager<ApplicationUser> users, SetupState state, AuditTrail audit, TimeProvider clock)
{
    public async Task<bool> IsRequiredAsync()
    {
        if (state.Completed) return false;
        var anyUser = await db.Users.AnyAsync();
        if (anyUser) state.Completed = true;
        return !anyUser;
    }

    public async Task<Result<ApplicationUser>> CompleteAsync(SetupInput input)
    {
        // One setup at a time: two people racing through the first-run page must not make two organizations.
        await state.Gate.WaitAsync();
        try
        {
            if (!await IsRequiredAsync()) return Result<ApplicationUser>.NotFound();

            var result = await db.InTransactionAsync(async () =>
            {
                var now = clock.GetUtcNow();
                var organization = new Organization { Name = input.OrganizationName.Trim(), CreatedAt = now };
                db.Organizations.Add(organization);
                await db.SaveChangesAsync();

                var user = new ApplicationUser
                {
                    UserName = input.Email.Trim(),
                    Email = input.Email.Trim(),
                    DisplayName = input.DisplayName.Trim(),
                    OrganizationId = organization.Id,
                    Role = Role.SuperAdmin,
                    CreatedAt = now,
                };
                var created = await users.CreateAsync(user, input.Password);
                if (created.Succeeded)
                {
                    audit.Record(AuditAction.SetupCompleted, AuditActor.Of(user), $"Created organization {organization.Name} and its first SuperAdmin.",
                        targetUserId: user.Id, targetName: user.Email);
                    await db.SaveChangesAsync();
                }

                return created.Succeeded
                    ? Result<ApplicationUser>.Ok(user)
                    : Result<ApplicationUser>.Invalid(created.Errors.Select(e => new FieldError(ZiggyIdentityErrors.FieldOf(e), e.Description)).ToList());
            });
            if (result.IsOk) state.Completed = true;
            return result;
        }
        finally
        {
            state.Gate.Release();
        }
    }
}
