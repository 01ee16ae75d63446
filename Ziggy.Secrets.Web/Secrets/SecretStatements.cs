using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>What is stored of a secret: its row, the mask of each environment's value (null without one), and who owns, created and last changed it.</summary>
internal sealed record StoredSecret(Secret Secret, string? DevelopmentMask, string? StagingMask, string? ProductionMask, string Owner, string CreatedBy, string UpdatedBy)
{
    public IReadOnlyDictionary<SecretEnvironment, string?> Masks => new Dictionary<SecretEnvironment, string?>
    {
        [SecretEnvironment.Development] = DevelopmentMask, [SecretEnvironment.Staging] = StagingMask, [SecretEnvironment.Production] = ProductionMask,
    };
}

/// <summary>
/// The editor's reads and a secret's update as single SQL statements (<see cref="DirectSql"/>); on PostgreSQL the reads
/// are EF Core queries. Every value is a parameter, and the writes' text runs on SQLite and PostgreSQL. A profile of
/// saving one value showed EF Core's change tracking (the tracked load of the secret with its values, change detection,
/// batching three commands) at well over half of the save's own work; these statements cost about a fifth of that.
/// Values are stored as the model maps them (Data/Configurations): times as UTC ticks, enums by name; tests read saved
/// secrets back through EF Core on both databases. Creating, transferring and deleting a secret, rarer, stay with change
/// tracking.
/// </summary>
internal static class SecretStatements
{
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Guid, Task<StoredSecret?>>> SecretWithNames = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid id, Guid organizationId) =>
            c.Secrets.AsNoTracking()
                .Where(s => s.Id == id && s.OrganizationId == organizationId)
                .Select(s => new StoredSecret(s,
                    s.Values.Where(v => v.Environment == SecretEnvironment.Development).Select(v => v.Mask).FirstOrDefault(),
                    s.Values.Where(v => v.Environment == SecretEnvironment.Staging).Select(v => v.Mask).FirstOrDefault(),
                    s.Values.Where(v => v.Environment == SecretEnvironment.Production).Select(v => v.Mask).FirstOrDefault(),
                    s.Owner!.DisplayName, s.CreatedBy!.DisplayName, s.UpdatedBy!.DisplayName))
                .FirstOrDefault()));

    /// <summary>
    /// The secret's row (untracked), the masks of its values and the names of its owner, creator and last editor, in one
    /// statement; null when the organization has no such secret. The save reads it too: the flags say which environments
    /// have a value.
    /// </summary>
    public static async Task<StoredSecret?> ReadAsync(ZiggyDbContext db, Guid id, Guid organizationId)
    {
        var read = DirectSql.TryQueryFirst(db, $"""
            SELECT s."Name", s."Description", s."OwnerId", s."CreatedAt", s."CreatedById", s."UpdatedAt", s."UpdatedById", s."Version",
                s."HasDevelopment", s."HasStaging", s."HasProduction",
                (SELECT v."Mask" FROM "SecretValues" v WHERE v."SecretId" = s."Id" AND v."Environment" = 'Development'),
                (SELECT v."Mask" FROM "SecretValues" v WHERE v."SecretId" = s."Id" AND v."Environment" = 'Staging'),
                (SELECT v."Mask" FROM "SecretValues" v WHERE v."SecretId" = s."Id" AND v."Environment" = 'Production'),
                o."DisplayName", c."DisplayName", u."DisplayName"
            FROM "Secrets" s
            JOIN "AspNetUsers" o ON o."Id" = s."OwnerId"
            JOIN "AspNetUsers" c ON c."Id" = s."CreatedById"
            JOIN "AspNetUsers" u ON u."Id" = s."UpdatedById"
            WHERE s."Id" = {id} AND s."OrganizationId" = {organizationId}
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
            return new StoredSecret(secret, row.GetStringOrNull(11), row.GetStringOrNull(12), row.GetStringOrNull(13),
                row.GetString(14), row.GetString(15), row.GetString(16));
        }, out var stored);
        return read ? stored : await SecretWithNames.For(db)(db, id, organizationId);
    }

    /// <summary>The names of the organization's integrations that reference <paramref name="secretName"/>, in name order.</summary>
    public static async Task<IReadOnlyList<string>> IntegrationsUsingAsync(ZiggyDbContext db, Guid organizationId, string secretName)
    {
        if (DirectSql.TryQuery(db, $"""
                SELECT i."Name" FROM "Integrations" i
                WHERE i."OrganizationId" = {organizationId}
                    AND EXISTS (SELECT 1 FROM "IntegrationSecretReferences" r WHERE r."IntegrationId" = i."Id" AND r."SecretName" = {secretName})
                ORDER BY i."Name"
                """, row => row.GetString(0), out var names))
            return names;
        return await db.Integrations.Where(i => i.OrganizationId == organizationId && i.References.Any(r => r.SecretName == secretName))
            .OrderBy(i => i.Name).Select(i => i.Name).ToListAsync();
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
