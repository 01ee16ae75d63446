using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>
/// A secret's update as single SQL statements (<see cref="DirectSql"/>): every value is a parameter, and the same text
/// runs on SQLite and PostgreSQL. A profile of saving one value showed EF Core's change tracking (the tracked load of
/// the secret with its values, change detection, batching three commands) at well over half of the save's own work;
/// these statements cost about a fifth of that. Values are stored as the model maps them (Data/Configurations): times
/// as UTC ticks, enums by name; tests read saved secrets back through EF Core on both databases. Creating, transferring
/// and deleting a secret, rarer, stay with change tracking.
/// </summary>
internal static class SecretStatements
{
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Guid, Task<Secret?>>> SecretToUpdate = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid id, Guid organizationId) =>
            c.Secrets.AsNoTracking().FirstOrDefault(s => s.Id == id && s.OrganizationId == organizationId)));

    /// <summary>The secret's row (not its values: the flags say which environments have one), untracked; null when the organization has no such secret.</summary>
    public static async Task<Secret?> LoadAsync(ZiggyDbContext db, Guid id, Guid organizationId)
    {
        var read = DirectSql.TryQueryFirst(db, $"""
            SELECT "Name", "Description", "OwnerId", "CreatedAt", "CreatedById", "UpdatedAt", "UpdatedById", "Version",
                "HasDevelopment", "HasStaging", "HasProduction"
            FROM "Secrets" WHERE "Id" = {id} AND "OrganizationId" = {organizationId}
            """, row =>
        {
            var secret = new Secret
            {
                Id = id, OrganizationId = organizationId, Name = row.GetString(0), Description = row.GetString(1), OwnerId = row.GetGuid(2),
                CreatedAt = row.GetUtcTicks(3), CreatedById = row.GetGuid(4), UpdatedAt = row.GetUtcTicks(5), UpdatedById = row.GetGuid(6),
                Version = row.GetInt32(7),
            };
            secret.SetPresence(SecretEnvironment.Development, row.GetBoolean(8));
            secret.SetPresence(SecretEnvironment.Staging, row.GetBoolean(9));
            secret.SetPresence(SecretEnvironment.Production, row.GetBoolean(10));
            return secret;
        }, out var secret);
        return read ? secret : await SecretToUpdate.For(db)(db, id, organizationId);
    }

    /// <summary>
    /// Writes when the secret changed and its new version, only while the stored version is still
    /// <paramref name="loadedVersion"/>. False when someone saved first; then nothing was written.
    /// </summary>
    public static async Task<bool> TouchAsync(ZiggyDbContext db, Secret secret, int loadedVersion) =>
        await DirectSql.ExecuteAsync(db, $"""
            UPDATE "Secrets" SET "UpdatedAt" = {secret.UpdatedAt.UtcTicks}, "Version" = {secret.Version}
            WHERE "Id" = {secret.Id} AND "Version" = {loadedVersion}
            """) == 1;

    /// <summary>
    /// Who changed the secret last. Its own statement, made only when that is someone else than before: a column written
    /// rewrites its index entry even when the value stays the same, one more page for every save.
    /// </summary>
    public static async Task WriteUpdatedByAsync(ZiggyDbContext db, Secret secret) =>
        await DirectSql.ExecuteAsync(db, $"""UPDATE "Secrets" SET "UpdatedById" = {secret.UpdatedById} WHERE "Id" = {secret.Id}""");

    /// <summary>The name, description and which environments have a value (the grid's columns).</summary>
    public static async Task DescribeAsync(ZiggyDbContext db, Secret secret) =>
        await DirectSql.ExecuteAsync(db, $"""
            UPDATE "Secrets" SET "Name" = {secret.Name}, "Description" = {secret.Description},
                "HasDevelopment" = {secret.HasDevelopment}, "HasStaging" = {secret.HasStaging}, "HasProduction" = {secret.HasProduction}
            WHERE "Id" = {secret.Id}
            """);

    /// <summary>
    /// Stores the environment's value, replacing the one it had, if any. Under the same data key (the usual case) the key
    /// id is left out of the write: a column written rewrites its index entry (IX_SecretValues_KeyId) even when the value
    /// stays the same, one more page for every save.
    /// </summary>
    public static async Task PutValueAsync(ZiggyDbContext db, SecretValue value)
    {
        var replaced = await DirectSql.ExecuteAsync(db, $"""
            UPDATE "SecretValues" SET "Nonce" = {value.Nonce}, "Ciphertext" = {value.Ciphertext}, "Mask" = {value.Mask}, "UpdatedAt" = {value.UpdatedAt.UtcTicks}
            WHERE "SecretId" = {value.SecretId} AND "Environment" = {value.Environment.ToString()} AND "KeyId" = {value.KeyId}
            """);
        if (replaced == 1) return;
        await DirectSql.ExecuteAsync(db, $"""
            INSERT INTO "SecretValues" ("SecretId", "Environment", "KeyId", "Nonce", "Ciphertext", "Mask", "UpdatedAt")
            VALUES ({value.SecretId}, {value.Environment.ToString()}, {value.KeyId}, {value.Nonce}, {value.Ciphertext}, {value.Mask}, {value.UpdatedAt.UtcTicks})
            ON CONFLICT ("SecretId", "Environment") DO UPDATE SET "KeyId" = excluded."KeyId", "Nonce" = excluded."Nonce",
                "Ciphertext" = excluded."Ciphertext", "Mask" = excluded."Mask", "UpdatedAt" = excluded."UpdatedAt"
            """);
    }

    public static async Task DeleteValueAsync(ZiggyDbContext db, Guid secretId, SecretEnvironment environment) =>
        await DirectSql.ExecuteAsync(db, $"""
            DELETE FROM "SecretValues" WHERE "SecretId" = {secretId} AND "Environment" = {environment.ToString()}
            """);
}
