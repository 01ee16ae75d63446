using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class SecretsGridIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name", "Description", "HasDevelopment", "HasStaging", "HasProduction", "OwnerId", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets");
        }
    }
}
