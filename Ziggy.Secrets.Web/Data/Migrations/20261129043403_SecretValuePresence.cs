using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class SecretValuePresence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "HasDevelopment",
                table: "Secrets",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "HasProduction",
                table: "Secrets",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "HasStaging",
                table: "Secrets",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Existing secrets: derive the flags from the values already stored.
            migrationBuilder.Sql("UPDATE Secrets SET HasDevelopment = EXISTS (SELECT 1 FROM SecretValues v WHERE v.SecretId = Secrets.Id AND v.Environment = 'Development'), HasStaging = EXISTS (SELECT 1 FROM SecretValues v WHERE v.SecretId = Secrets.Id AND v.Environment = 'Staging'), HasProduction = EXISTS (SELECT 1 FROM SecretValues v WHERE v.SecretId = Secrets.Id AND v.Environment = 'Production');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HasDevelopment",
                table: "Secrets");

            migrationBuilder.DropColumn(
                name: "HasProduction",
                table: "Secrets");

            migrationBuilder.DropColumn(
                name: "HasStaging",
                table: "Secrets");
        }
    }
}
