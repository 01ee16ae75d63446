using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Trash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Secrets_OrganizationId_Name",
                table: "Secrets");

            migrationBuilder.AddColumn<long>(
                name: "DeletedAt",
                table: "Secrets",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DeletedById",
                table: "Secrets",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_DeletedById",
                table: "Secrets",
                column: "DeletedById");

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

            migrationBuilder.AddForeignKey(
                name: "FK_Secrets_AspNetUsers_DeletedById",
                table: "Secrets",
                column: "DeletedById",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
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
                name: "IX_Secrets_OrganizationId_Name",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name" },
                unique: true);
        }
    }
}
