using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <summary>
    /// AuditEvents.Id becomes a plain rowid instead of AUTOINCREMENT, which wrote its counter to sqlite_sequence on every
    /// insert: one page of the eight a save committed. Ids still rise, since no audit row is ever deleted.
    /// </summary>
    /// <remarks>
    /// SQLite cannot alter a column, so the table is rebuilt here by hand: EF Core's own rebuild kept AUTOINCREMENT and
    /// would have run the triggers' SQL before it. The append-only triggers (migration Audit) are made again, since
    /// they go with the old table.
    /// </remarks>
    public partial class AuditPlainRowid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, "");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, " AUTOINCREMENT");

        private static void Rebuild(MigrationBuilder migrationBuilder, string autoincrement)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE "ef_temp_AuditEvents" (
                    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditEvents" PRIMARY KEY{autoincrement},
                    "OrganizationId" TEXT NULL,
                    "At" INTEGER NOT NULL,
                    "ActorId" TEXT NULL,
                    "ActorName" TEXT NOT NULL,
                    "Ip" TEXT NULL,
                    "Action" TEXT NOT NULL,
                    "SecretId" TEXT NULL,
                    "SecretName" TEXT NULL,
                    "TargetUserId" TEXT NULL,
                    "TargetName" TEXT NULL,
                    "Details" TEXT NOT NULL
                );
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ef_temp_AuditEvents" ("Id", "OrganizationId", "At", "ActorId", "ActorName", "Ip", "Action", "SecretId", "SecretName", "TargetUserId", "TargetName", "Details")
                SELECT "Id", "OrganizationId", "At", "ActorId", "ActorName", "Ip", "Action", "SecretId", "SecretName", "TargetUserId", "TargetName", "Details" FROM "AuditEvents";
                """);
            // Dropping the table drops its indexes and triggers with it (and fires no trigger).
            migrationBuilder.Sql("""DROP TABLE "AuditEvents";""");
            migrationBuilder.Sql("""ALTER TABLE "ef_temp_AuditEvents" RENAME TO "AuditEvents";""");
            migrationBuilder.Sql("""CREATE INDEX "IX_AuditEvents_OrganizationId_At" ON "AuditEvents" ("OrganizationId", "At");""");
            migrationBuilder.Sql("""CREATE INDEX "IX_AuditEvents_SecretId" ON "AuditEvents" ("SecretId");""");
            migrationBuilder.Sql("CREATE TRIGGER AuditEvents_NoUpdate BEFORE UPDATE ON AuditEvents BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER AuditEvents_NoDelete BEFORE DELETE ON AuditEvents BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;");
        }
    }
}
