using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ziggy.Secrets.Web.Data.Migrations
{
    /// <summary>
    /// A one-row table whose stamp changes, by trigger, in the same transaction as every insert, update or delete of a
    /// secret or a stored value and every change of a member's display name, whoever makes it (this server, rotate-key,
    /// another process, a hand-written UPDATE). What is kept in memory under a stamp (the resolver's ciphertexts, the
    /// grid's rows: <c>Data/StampedCache</c>) is used only while the stamp is the same. A random stamp, not a counter, so
    /// a database put back from elsewhere cannot repeat one by chance. SQLite only: on PostgreSQL nothing is kept.
    /// </summary>
    public partial class SecretsChangeStamp : Migration
    {
        private static readonly string[] Tables = ["Secrets", "SecretValues"];
        private static readonly string[] Events = ["INSERT", "UPDATE", "DELETE"];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE TABLE SecretsChangeStamp (Id INTEGER NOT NULL PRIMARY KEY CHECK (Id = 1), Stamp INTEGER NOT NULL);");
            migrationBuilder.Sql("INSERT INTO SecretsChangeStamp (Id, Stamp) VALUES (1, random());");
            foreach (var table in Tables)
            {
                foreach (var change in Events)
                {
                    migrationBuilder.Sql(
                        $"CREATE TRIGGER {table}_Stamp{change[0]}{change[1..].ToLowerInvariant()} AFTER {change} ON {table} " +
                        "BEGIN UPDATE SecretsChangeStamp SET Stamp = random() WHERE Id = 1; END;");
                }
            }

            // The grid shows each secret's owner by display name.
            migrationBuilder.Sql(
                "CREATE TRIGGER AspNetUsers_StampDisplayName AFTER UPDATE OF DisplayName ON AspNetUsers " +
                "BEGIN UPDATE SecretsChangeStamp SET Stamp = random() WHERE Id = 1; END;");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                foreach (var change in Events)
                    migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_Stamp{change[0]}{change[1..].ToLowerInvariant()};");
            }

            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AspNetUsers_StampDisplayName;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS SecretsChangeStamp;");
        }
    }
}
