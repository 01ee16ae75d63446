using Microsoft.Data.Sqlite;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Unit;

/// <summary>Which table's unique index refused a write, as SQLite reports it (PostgreSQL: see TwoInstanceTests' concurrent saves).</summary>
public sealed class DbErrorsTests
{
    private static SqliteException UniqueViolation(string createAndInsertTwice)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = createAndInsertTwice;
        return Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
    }

    [Fact]
    public void IsUniqueViolationOn_NamesTheTableWhoseIndexRefused()
    {
        var versions = UniqueViolation("CREATE TABLE SecretValueVersions (SecretId TEXT, Number INTEGER); CREATE UNIQUE INDEX IX ON SecretValueVersions (SecretId, Number);" +
                                       "INSERT INTO SecretValueVersions VALUES ('a', 1); INSERT INTO SecretValueVersions VALUES ('a', 1);");
        var secrets = UniqueViolation("CREATE TABLE Secrets (Name TEXT UNIQUE); INSERT INTO Secrets VALUES ('A'); INSERT INTO Secrets VALUES ('A');");

        Assert.True(DbErrors.IsUniqueViolationOn(new InvalidOperationException("wrapped", versions), "SecretValueVersions"));
        Assert.False(DbErrors.IsUniqueViolationOn(secrets, "SecretValueVersions"));
        Assert.True(DbErrors.IsUniqueViolationOn(secrets, "Secrets"));
        Assert.False(DbErrors.IsUniqueViolationOn(versions, "Secrets"));
    }
}
