using Microsoft.Extensions.Configuration;
using Npgsql;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Unit;

public sealed class DatabaseSettingsTests
{
    private static (DatabaseSettings? Settings, string? Error) Postgres(string connectionString) =>
        DatabaseSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [DatabaseSettings.ProviderKey] = "Postgres", [DatabaseSettings.ConnectionStringKey] = connectionString,
        }).Build());

    [Fact]
    public void Postgres_ConnectionStringWithoutAutoPrepare_GetsTheAppsPreparation_AndKeepsTheRest()
    {
        var (settings, error) = Postgres("Host=db.internal;Port=5433;Database=ziggy;Username=ziggy;Password=pa ss");

        Assert.Null(error);
        var made = new NpgsqlConnectionStringBuilder(settings!.ConnectionString);
        Assert.Equal(DatabaseSettings.AutoPreparedStatements, made.MaxAutoPrepare);
        Assert.Equal(("db.internal", 5433, "ziggy", "ziggy", "pa ss"), (made.Host, made.Port, made.Database, made.Username, made.Password));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;MaxAutoPrepare=7", 7)]
    [InlineData("Host=db;max auto prepare=12", 12)]
    public void Postgres_OperatorsOwnAutoPrepare_IsKept(string connectionString, int expected)
    {
        var (settings, error) = Postgres(connectionString);

        Assert.Null(error);
        Assert.Equal(connectionString, settings!.ConnectionString);
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(settings.ConnectionString).MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Host=db;Password=abc;defg")]
    [InlineData("Host=db;Port=five")]
    [InlineData("just-some-words")]
    public void Postgres_MalformedConnectionString_IsRefusedWithAMessage_ThatQuotesNothingOfIt(string connectionString)
    {
        var (settings, error) = Postgres(connectionString);

        Assert.Null(settings);
        Assert.StartsWith($"{DatabaseSettings.ConnectionStringKey} is not a PostgreSQL connection string", error);
        foreach (var part in connectionString.Split(';', '=', ' ').Where(p => p.Length > 2 && p != "Host" && p != "Port"))
            Assert.DoesNotContain(part, error!, StringComparison.OrdinalIgnoreCase);
    }
}
