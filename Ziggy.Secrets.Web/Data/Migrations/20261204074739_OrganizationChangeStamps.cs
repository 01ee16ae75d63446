using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <summary>
    /// One secrets change stamp per organization instead of one for the whole file, so a write in one organization does
    /// not invalidate the grid rows browsers hold for the others. Triggers give the organization's stamp a new random
    /// value in the same transaction as every insert, update or delete of one of its secrets and every change of a
    /// member's display name (the grid's Owner column), whoever writes. A trigger never conflicts with a row it writes
    /// (insert only when missing, then update), so it cannot fail a write.
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
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Stamp = table.Column<long>(type: "INTEGER", nullable: false)
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

            foreach (var change in OldEvents)
            {
                foreach (var table in new[] { "Secrets", "SecretValues" })
                    migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_Stamp{change};");
            }

            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AspNetUsers_StampDisplayName;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS SecretsChangeStamp;");

            migrationBuilder.Sql("INSERT INTO SecretsChangeStamps (OrganizationId, Stamp) SELECT Id, random() FROM Organizations;");
            migrationBuilder.Sql(Trigger("Secrets_StampInsert", "AFTER INSERT ON Secrets", "NEW.OrganizationId"));
            migrationBuilder.Sql(Trigger("Secrets_StampUpdate", "AFTER UPDATE ON Secrets", "NEW.OrganizationId"));
            migrationBuilder.Sql(Trigger("Secrets_StampDelete", "AFTER DELETE ON Secrets", "OLD.OrganizationId"));
            migrationBuilder.Sql(Trigger("AspNetUsers_StampDisplayName", "AFTER UPDATE OF DisplayName ON AspNetUsers", "NEW.OrganizationId"));
        }

        private static readonly string[] OldEvents = ["Insert", "Update", "Delete"];

        private static string Trigger(string name, string when, string organization) =>
            $"CREATE TRIGGER {name} {when} BEGIN " +
            $"INSERT INTO SecretsChangeStamps (OrganizationId, Stamp) SELECT {organization}, 0 " +
            $"WHERE NOT EXISTS (SELECT 1 FROM SecretsChangeStamps WHERE OrganizationId = {organization}); " +
            $"UPDATE SecretsChangeStamps SET Stamp = random() WHERE OrganizationId = {organization}; END;";

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "Secrets_StampInsert", "Secrets_StampUpdate", "Secrets_StampDelete", "AspNetUsers_StampDisplayName" })
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger};");
            migrationBuilder.DropTable(
                name: "SecretsChangeStamps");
        }
    }
}
