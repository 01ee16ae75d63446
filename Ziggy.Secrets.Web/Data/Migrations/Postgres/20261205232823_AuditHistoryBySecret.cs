using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditHistoryBySecret : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_SecretId",
                table: "AuditEvents");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_SecretId_At",
                table: "AuditEvents",
                columns: new[] { "SecretId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_SecretId_At",
                table: "AuditEvents");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_SecretId",
                table: "AuditEvents",
                column: "SecretId");
        }
    }
}
