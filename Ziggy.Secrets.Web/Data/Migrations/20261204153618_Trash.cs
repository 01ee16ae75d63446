using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class Trash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets");

            migrationBuilder.DropIndex(
                name: "IX_Secrets_OrganizationId_Name",
                table: "Secrets");

            migrationBuilder.AddColumn<long>(
                name: "DeletedAt",
                table: "Secrets",
                type: "INTEGER",
                nullable: true);

            // Added with its foreign key in place: EF Core would add the key by rebuilding the table, which drops the
            // change-stamp triggers on Secrets (migration OrganizationChangeStamps).
            migrationBuilder.Sql(
                "ALTER TABLE \"Secrets\" ADD \"DeletedById\" TEXT NULL " +
                "CONSTRAINT \"FK_Secrets_AspNetUsers_DeletedById\" REFERENCES \"AspNetUsers\" (\"Id\") ON DELETE RESTRICT;");

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_DeletedById",
                table: "Secrets",
                column: "DeletedById");

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name", "Description", "HasDevelopment", "HasStaging", "HasProduction", "OwnerId", "CreatedAt", "Id", "ProductionMatchesOther", "DeletedAt" },
                filter: "\"DeletedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_OrganizationId_DeletedAt",
                table: "Secrets",
                columns: new[] { "OrganizationId", "DeletedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_OrganizationId_Name",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name" },
                unique: true,
                filter: "\"DeletedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Secrets_AspNetUsers_DeletedById",
                table: "Secrets");

            migrationBuilder.DropIndex(
                name: "IX_Secrets_DeletedById",
                table: "Secrets");

            migrationBuilder.DropIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets");

            migrationBuilder.DropIndex(
                name: "IX_Secrets_OrganizationId_DeletedAt",
                table: "Secrets");

            migrationBuilder.DropIndex(
                name: "IX_Secrets_OrganizationId_Name",
                table: "Secrets");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Secrets");

            migrationBuilder.DropColumn(
                name: "DeletedById",
                table: "Secrets");

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name", "Description", "HasDevelopment", "HasStaging", "HasProduction", "OwnerId", "CreatedAt", "Id", "ProductionMatchesOther" });

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_OrganizationId_Name",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name" },
                unique: true);
        }
    }
}
