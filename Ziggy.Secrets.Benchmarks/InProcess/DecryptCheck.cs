using Ziggy.Secrets.Web.Integrations;
using Microsoft.AspNetCore.Authorization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Benchmarks.InProcess;

/// <summary>
/// Decrypts counted by the app's cipher: while <paramref name="Secrets"/> secrets were listed, each opened, saved and shown
/// again; and while <paramref name="Resolved"/> values were resolved, which must count one each.
/// </summary>
public sealed record DecryptFigures(int Secrets, long WhileListingOpeningSaving, int Resolved, long WhileResolving)
{
    /// <summary>The counter is seen to count, so a zero above is a real zero.</summary>
    public bool CounterCounts => WhileResolving == Resolved;
}

/// <summary>
/// Listing, opening and saving secrets must decrypt nothing: the grid shows flags, the editor the masks stored with each
/// value. The app's own counter (<see cref="ISecretCipher.DecryptCount"/>) is read around the service calls the Secrets
/// page makes for each, one request scope per page request. The counter lives in the app's process, and the shipped app
/// has no endpoint that tells it, so it is read here, in process, rather than around the HTTP scenarios.
/// </summary>
public sealed class DecryptCheck : AppBenchmark
{
    public static async Task<DecryptFigures> RunAsync(int secrets = 100)
    {
        var check = new DecryptCheck();
        await check.StartAppAsync();
        try
        {
            return await check.CountAsync(secrets);
        }
        finally
        {
            check.StopApp();
        }
    }

    private async Task<DecryptFigures> CountAsync(int count)
    {
        var created = new List<(SavedSecret Saved, string Name)>();
        for (var i = 0; i < count; i++)
        {
            var name = $"CHECK_{i:D3}";
            created.Add((await CreateSecretAsync(name, $"Decrypt check {i}", new Dictionary<SecretEnvironment, string>
            {
                [SecretEnvironment.Development] = NewValue(), [SecretEnvironment.Staging] = NewValue(), [SecretEnvironment.Production] = NewValue(),
            }), name));
        }

        var cipher = Services.GetRequiredService<ISecretCipher>();
        var before = cipher.DecryptCount;

        // The grid's rows (OnGetRows).
        await InRequestAsync(async (secrets, _) =>
        {
            var rows = 0;
            await foreach (var row in secrets.ListAsync(Owner)) rows++;
            if (rows != count) throw new InvalidOperationException($"The list showed {rows} rows of {count}.");
        });

        foreach (var (saved, name) in created)
        {
            // Opening the editor (OnGetEditAsync): the secret, and the members it could be given to.
            await InRequestAsync(async (secrets, team) =>
            {
                var opened = await secrets.GetAsync(Owner, saved.Id);
                if (opened.Value is not { } details) throw new InvalidOperationException($"Opening {name} failed.");
                if (details.CanTransfer) await team.ActiveMembersAsync(Owner);
            });

            // Saving a new Staging value (OnPostSaveAsync), then the editor as it is after the commit.
            await InRequestAsync(async (secrets, team) =>
            {
                var result = await secrets.UpdateAsync(Owner, saved.Id, new SecretChanges(saved.Version, name, "",
                    new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = NewValue() }));
                if (!result.IsOk) throw new InvalidOperationException($"Saving {name} failed: {string.Join(" ", result.Errors.Select(e => e.Message))}");
                var shown = await secrets.GetAsync(Owner, saved.Id);
                if (shown.Value is { CanTransfer: true }) await team.ActiveMembersAsync(Owner);
            });
        }

        var whileUsingPages = cipher.DecryptCount - before;

        // What must decrypt: an integration run's resolve, one value per name.
        var names = created.Take(10).Select(c => c.Name).ToList();
        var beforeResolve = cipher.DecryptCount;
        await using (var scope = Services.CreateAsyncScope())
        {
            var integrations = scope.ServiceProvider.GetRequiredService<IntegrationService>();
            var resolved = await scope.ServiceProvider.GetRequiredService<SecretValueResolver>().ResolveAsync(Owner.OrganizationId, names,
                SecretEnvironment.Production, secrets => integrations.MixingRefusalsAsync(Owner.OrganizationId, Owner.UserId, secrets.Select(NamedSecret.Of).ToList()));
            if (!resolved.IsOk) throw new InvalidOperationException("Resolving failed: " + string.Join(" ", resolved.Errors.Select(e => e.Message)));
        }

        return new DecryptFigures(count, whileUsingPages, names.Count, cipher.DecryptCount - beforeResolve);
    }

    private async Task InRequestAsync(Func<SecretService, TeamService, Task> request)
    {
        await using var scope = Services.CreateAsyncScope();
        await request(scope.ServiceProvider.GetRequiredService<SecretService>(), scope.ServiceProvider.GetRequiredService<TeamService>());
    }

    private static string NewValue() => "sk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}
