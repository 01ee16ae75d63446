using System.Net;
using System.Text.Json;
using Ziggy.Secrets.Tests.Support;

namespace Ziggy.Secrets.Tests.Integration;

public class HealthTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public HealthTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected HealthTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Healthz_NoSignIn_AnswersOk()
    {
        using var session = _app.CreateSession();
        var response = await session.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_FreshInstance_ReportsEachCheckAndNoData()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();

        var response = await session.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal(["database", "masterKey", "migrations"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(checks.EnumerateObject(), c => Assert.True(c.Value.GetBoolean()));
        Assert.DoesNotContain("Acme", body.RootElement.GetRawText());
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class HealthTestsOnPostgres() : HealthTests(new PostgresAppFactory());

public sealed class BenchmarkCeilingTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("GET", "/_bench/rows?count=10")]
    [InlineData("GET", "/_bench/page?bytes=100")]
    [InlineData("GET", "/_bench/decrypts")]
    [InlineData("POST", "/_bench/raw-save")]
    public async Task BenchmarkEndpoints_InANormalRun_DoNotExist(string method, string url)
    {
        await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        // Answered exactly as an address that never existed is answered with the same method.
        HttpRequestMessage Request(string path) => new(new HttpMethod(method), path) { Content = method == "POST" ? new FormUrlEncodedContent([]) : null };
        using var unknown = Request("/_bench/never-existed");
        var expected = (await session.Client.SendAsync(unknown)).StatusCode;
        Assert.True(expected is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"an unknown address answered {expected}");
        using var request = Request(url);
        Assert.Equal(expected, (await session.Client.SendAsync(request)).StatusCode);
        Assert.False(File.Exists(Path.Combine(_app.DataFolder, "bench-raw.db")));
    }

    [Fact]
    public async Task RawSaveCeiling_WhenBenchmarking_CommitsOneRowPerRequestInAFileOfItsOwn()
    {
        using var app = new ZiggyAppFactory(settings: new() { [Web.Hosting.BenchmarkEndpoints.EnabledKey] = "true" });
        await app.SetUpAsync();
        using var client = app.CreateClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Staging"] = "sk_stg_value" });
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync("/_bench/raw-save", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").GetInt32());
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataFolder, "bench-raw.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM t) || ' ' || (SELECT journal_mode FROM pragma_journal_mode)";
        Assert.Equal("3 wal", (string?)await command.ExecuteScalarAsync());
    }
}
