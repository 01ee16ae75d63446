using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Benchmarks.Seeding;

/// <summary>
/// Organizations, their owners and their secrets written in bulk through the app's data layer while no app process runs
/// (compose the services with <see cref="HistorySeeder.Compose"/>). Every secret has all three environments set, each
/// value encrypted by the app's <see cref="ISecretCipher"/> under its own associated data, with its mask, fingerprint
/// and first version as the app's own create stores them. No audit rows are written for seeded secrets.
/// </summary>
public static class OrganizationSeeder
{
    public const string Password = "benchmark password";

    private const int SecretsPerBatch = 1000;

    private static readonly SecretEnvironment[] Environments = [SecretEnvironment.Development, SecretEnvironment.Staging, SecretEnvironment.Production];

    /// <summary>The email of organization <paramref name="index"/>'s owner; they sign in with <see cref="Password"/>.</summary>
    public static string OwnerEmail(int index) => $"owner{index:D5}@bench.test";

    /// <summary>
    /// Adds organizations numbered <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1,
    /// each with a SuperAdmin owner and <paramref name="secretsEach"/> secrets. Answers how many values were written.
    /// </summary>
    public static async Task<long> AddOrganizationsAsync(IServiceProvider services, int first, int count, int secretsEach, TextWriter progress)
    {
        var hasher = services.GetRequiredService<IPasswordHasher<ApplicationUser>>();
        var normalizer = services.GetRequiredService<ILookupNormalizer>();
        // One hash for every owner: hashing is deliberately slow, and the same password gives an equally valid hash.
        var passwordHash = hasher.HashPassword(new ApplicationUser(), Password);
        var clock = Stopwatch.StartNew();
        var written = 0L;
        for (var index = first; index < first + count; index++)
        {
            var now = DateTimeOffset.UtcNow;
            var organization = new Organization { Name = $"Bench organization {index:D5}", CreatedAt = now };
            var email = OwnerEmail(index);
            var owner = new ApplicationUser
            {
                UserName = email, NormalizedUserName = normalizer.NormalizeName(email), Email = email, NormalizedEmail = normalizer.NormalizeEmail(email),
                EmailConfirmed = true, PasswordHash = passwordHash, SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(),
                DisplayName = $"Owner {index:D5}", OrganizationId = organization.Id, Role = Role.SuperAdmin, CreatedAt = now,
            };
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Organizations.Add(organization);
                db.Users.Add(owner);
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }

            written += await AddSecretsAsync(services, organization.Id, owner.Id, secretsEach, progress: null);
            var done = index - first + 1;
            if (done % Math.Max(1, count / 20) == 0 || done == count)
                progress.WriteLine($"  organizations: {done:N0} of {count:N0}, {written:N0} values, {written / clock.Elapsed.TotalSeconds:N0} values/s, {clock.Elapsed.TotalSeconds:N0} s");
        }

        return written;
    }

    /// <summary>
    /// Adds <paramref name="count"/> secrets named SECRET_00000 onwards to an organization that has none of those names,
    /// owned and written by <paramref name="ownerId"/>, in transactions of <see cref="SecretsPerBatch"/> secrets whose
    /// values are encrypted on every core. Answers how many values were written.
    /// </summary>
    public static async Task<long> AddSecretsAsync(IServiceProvider services, Guid organizationId, Guid ownerId, int count, TextWriter? progress)
    {
        var cipher = services.GetRequiredService<ISecretCipher>();
        var written = 0L;
        for (var start = 0; start < count; start += SecretsPerBatch)
        {
            var size = Math.Min(SecretsPerBatch, count - start);
            var now = DateTimeOffset.UtcNow;
            var secrets = new Secret[size];
            var versions = new SecretValueVersion[size * Environments.Length];
            Parallel.For(0, size, i =>
            {
                var number = start + i;
                var secret = new Secret
                {
                    OrganizationId = organizationId, Name = $"SECRET_{number:D5}", Description = $"Benchmark secret {number}", OwnerId = ownerId,
                    CreatedAt = now, CreatedById = ownerId, UpdatedAt = now, UpdatedById = ownerId,
                };
                for (var e = 0; e < Environments.Length; e++)
                {
                    var environment = Environments[e];
                    var plain = $"sk_{environment.ToString().ToLowerInvariant()}_{number:D5}_{Guid.NewGuid():N}";
                    var encrypted = cipher.Encrypt(plain, new ValuePlace(organizationId, secret.Id, secret.Name, environment));
                    var value = new SecretValue
                    {
                        SecretId = secret.Id, Environment = environment, KeyId = encrypted.KeyId, Nonce = encrypted.Nonce, Ciphertext = encrypted.Ciphertext,
                        Mask = SecretMask.For(plain), Fingerprint = cipher.Fingerprint(plain), UpdatedAt = now,
                    };
                    secret.Values.Add(value);
                    secret.SetPresence(environment, true);
                    versions[i * Environments.Length + e] = new SecretValueVersion
                    {
                        SecretId = secret.Id, Environment = environment, Number = 1, WrittenAt = now, WrittenById = ownerId,
                        KeyId = value.KeyId, Nonce = value.Nonce, Ciphertext = value.Ciphertext, Mask = value.Mask, Fingerprint = value.Fingerprint,
                    };
                }

                secret.UpdateSharedProduction();
                secrets[i] = secret;
            });

            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Secrets.AddRange(secrets);
            db.SecretValueVersions.AddRange(versions);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            written += size * Environments.Length;
            progress?.WriteLine($"  secrets: {start + size:N0} of {count:N0}");
        }

        return written;
    }

    /// <summary>The organization whose owner signs in with <paramref name="email"/>.</summary>
    public static async Task<Guid> OrganizationOfAsync(IServiceProvider services, string email)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        return await db.Users.Where(u => u.Email == email).Select(u => u.OrganizationId).SingleAsync();
    }

    /// <summary>The id of the only organization and of its first user (the one /Setup made).</summary>
    public static async Task<(Guid Organization, Guid Owner)> SetUpOrganizationAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        var owner = await db.Users.SingleAsync();
        return (owner.OrganizationId, owner.Id);
    }

    public static void Release() => SqliteConnection.ClearAllPools();
}

/// <summary>
/// What a seeded data folder holds, written beside it once seeding finished, so that a reused folder is known to hold
/// exactly what a run asks for (a folder without it was not finished and is never reused).
/// </summary>
public sealed record SeedMarker(int Organizations, int SecretsPerOrganization, long Values, double SeedingSeconds, int LargeSecrets = 0, int LargeVersions = 0)
{
    public const string FileName = "ziggy-bench-seed.json";

    public static SeedMarker? Read(string folder) =>
        File.Exists(Path.Combine(folder, FileName)) ? JsonSerializer.Deserialize<SeedMarker>(File.ReadAllText(Path.Combine(folder, FileName))) : null;

    public void Write(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this));

    public bool Holds(int organizations, int secretsPerOrganization, int largeSecrets, int largeVersions) =>
        Organizations == organizations && SecretsPerOrganization == secretsPerOrganization && LargeSecrets == largeSecrets && LargeVersions == largeVersions;
}
