using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ValueHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Fingerprint",
                table: "SecretValues",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ProductionMatchesOther",
                table: "Secrets",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "SecretValueVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SecretId = table.Column<Guid>(type: "uuid", nullable: false),
                    Environment = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    WrittenAt = table.Column<long>(type: "bigint", nullable: false),
                    WrittenById = table.Column<Guid>(type: "uuid", nullable: false),
                    Removed = table.Column<bool>(type: "boolean", nullable: false),
                    RestoredFrom = table.Column<int>(type: "integer", nullable: true),
                    KeyId = table.Column<int>(type: "integer", nullable: true),
                    Nonce = table.Column<byte[]>(type: "bytea", nullable: true),
                    Ciphertext = table.Column<byte[]>(type: "bytea", nullable: true),
                    Mask = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Fingerprint = table.Column<byte[]>(type: "bytea", nullable: true)
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

            migrationBuilder.DropColumn(
                name: "Fingerprint",
                table: "SecretValues");

            migrationBuilder.DropColumn(
                name: "ProductionMatchesOther",
                table: "Secrets");
        }
    }
}
