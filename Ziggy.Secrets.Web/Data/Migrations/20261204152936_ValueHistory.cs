using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ValueHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets");

            migrationBuilder.AddColumn<byte[]>(
                name: "Fingerprint",
                table: "SecretValues",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ProductionMatchesOther",
                table: "Secrets",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "SecretValueVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SecretId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Environment = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    WrittenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    WrittenById = table.Column<Guid>(type: "TEXT", nullable: false),
                    Removed = table.Column<bool>(type: "INTEGER", nullable: false),
                    RestoredFrom = table.Column<int>(type: "INTEGER", nullable: true),
                    KeyId = table.Column<int>(type: "INTEGER", nullable: true),
                    Nonce = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Ciphertext = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Mask = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Fingerprint = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SecretValueVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SecretValueVersions_AspNetUsers_WrittenById",
                        column: x => x.WrittenById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_SecretValueVersions_DataKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "DataKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_SecretValueVersions_Secrets_SecretId",
                        column: x => x.SecretId,
                        principalTable: "Secrets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name", "Description", "HasDevelopment", "HasStaging", "HasProduction", "OwnerId", "CreatedAt", "Id", "ProductionMatchesOther" });

            migrationBuilder.CreateIndex(
                name: "IX_SecretValueVersions_KeyId",
                table: "SecretValueVersions",
                column: "KeyId");

            migrationBuilder.CreateIndex(
                name: "IX_SecretValueVersions_SecretId_Environment_Number",
                table: "SecretValueVersions",
                columns: new[] { "SecretId", "Environment", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SecretValueVersions_WrittenById",
                table: "SecretValueVersions",
                column: "WrittenById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SecretValueVersions");

            migrationBuilder.DropIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets");

            migrationBuilder.DropColumn(
                name: "Fingerprint",
                table: "SecretValues");

            migrationBuilder.DropColumn(
                name: "ProductionMatchesOther",
                table: "Secrets");

            migrationBuilder.CreateIndex(
                name: "IX_Secrets_Grid",
                table: "Secrets",
                columns: new[] { "OrganizationId", "Name", "Description", "HasDevelopment", "HasStaging", "HasProduction", "OwnerId", "CreatedAt", "Id" });
        }
    }
}
