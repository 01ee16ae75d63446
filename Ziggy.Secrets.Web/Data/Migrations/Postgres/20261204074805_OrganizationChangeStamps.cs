using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations.Postgres
{
    /// <summary>
    /// One secrets change stamp per organization. Triggers give the organization's stamp a new random value in the same
    /// transaction as every insert, update or delete of one of its secrets and every change of a member's display name
    /// (the grid's Owner column), whoever writes: every instance sees the same stamp.
    /// </summary>
    public partial class OrganizationChangeStamps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SecretsChangeStamps",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Stamp = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SecretsChangeStamps", x => x.OrganizationId);
                    table.ForeignKey(
                        name: "FK_SecretsChangeStamps_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.Sql("""
                INSERT INTO "SecretsChangeStamps" ("OrganizationId", "Stamp")
                SELECT "Id", floor(random() * 9007199254740991)::bigint FROM "Organizations";

                CREATE FUNCTION ziggy_stamp_secrets() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE organization uuid;
                BEGIN
                    IF TG_OP = 'DELETE' THEN organization := OLD."OrganizationId"; ELSE organization := NEW."OrganizationId"; END IF;
                    INSERT INTO "SecretsChangeStamps" ("OrganizationId", "Stamp")
                    VALUES (organization, floor(random() * 9007199254740991)::bigint)
                    ON CONFLICT ("OrganizationId") DO UPDATE SET "Stamp" = excluded."Stamp";
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "Secrets_Stamp" AFTER INSERT OR UPDATE OR DELETE ON "Secrets"
                    FOR EACH ROW EXECUTE FUNCTION ziggy_stamp_secrets();
                CREATE TRIGGER "AspNetUsers_StampDisplayName" AFTER UPDATE OF "DisplayName" ON "AspNetUsers"
                    FOR EACH ROW EXECUTE FUNCTION ziggy_stamp_secrets();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "Secrets_Stamp" ON "Secrets";
                DROP TRIGGER IF EXISTS "AspNetUsers_StampDisplayName" ON "AspNetUsers";
                DROP FUNCTION IF EXISTS ziggy_stamp_secrets();
                """);
            migrationBuilder.DropTable(
                name: "SecretsChangeStamps");
        }
    }
}
