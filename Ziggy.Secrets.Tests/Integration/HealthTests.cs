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
