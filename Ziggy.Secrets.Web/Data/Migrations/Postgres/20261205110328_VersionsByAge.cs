using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VersionsByAge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_SecretValueVersions_SecretId_Environment_WrittenAt",
                table: "SecretValueVersions",
                columns: new[] { "SecretId", "Environment", "WrittenAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SecretValueVersions_SecretId_Environment_WrittenAt",
                table: "SecretValueVersions");
        }
    }
}
