using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>The test app leaves nothing behind that would make later tests of the same run fail.</summary>
public sealed class ZiggyAppFactoryTests
{
    [Fact]
    public void PostgresTestClasses_AllCarryRequiresPostgres_SoTheyAreSkippedWherePostgresCannotRun()
    {
        var unmarked = typeof(ZiggyAppFactoryTests).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("OnPostgres", StringComparison.Ordinal) && !t.IsDefined(typeof(RequiresPostgresAttribute), inherit: false))
            .Select(t => t.Name).ToList();

        Assert.Empty(unmarked);
        Assert.Contains(typeof(ZiggyAppFactoryTests).Assembly.GetTypes(), t => t.Name.EndsWith("OnPostgres", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_DoesNotWatchItsConfigurationFiles()
    {
        using var app = new ZiggyAppFactory();

        var configuration = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes."));
    }

    [Fact]
    public void Start_ThrowsAfterTheHostIsBuilt_TheHostIsDisposed()
    {
        var disposed = new StrongBox<bool>();
        using var app = new AppFailingToStart(disposed);

        // Migrating a database nobody serves throws after the host is built, as when PostgreSQL is down.
        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("Failed to connect", error.ToString());
        Assert.True(disposed.Value, "The host whose start threw was not disposed.");
    }

    [Fact]
    public void UseKestrel_PortZero_ListensOnAPortTheSystemChose()
    {
        using var app = new ZiggyAppFactory();
        app.UseKestrel(0);

        app.StartServer();

        // Kestrel's default, taken whenever the factory's port is not applied (another process may hold it).
        Assert.NotEqual(5000, app.ClientOptions.BaseAddress.Port);
    }

    [Fact]
    public async Task SqlitePool_ConnectionString_IsTheAppsOwn()
    {
        using var app = new ZiggyAppFactory();

        var appConnectionString = await app.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()));

        Assert.Equal(AppSqlitePool.ConnectionString(app.DatabasePath), appConnectionString);
    }

    [Fact]
    public async Task Dispose_ClosesTheAppsSqliteConnections()
    {
        var app = new ZiggyAppFactory { KeepDataOnDispose = true };
        try
        {
            await app.SetUpAsync();
            var wal = app.DatabasePath + "-wal";
            Assert.True(File.Exists(wal), "The app's connections are open while it runs.");

            app.Dispose();

            // SQLite checkpoints and deletes the write-ahead log when the last connection to the database closes.
            Assert.False(File.Exists(wal), "The app's pooled SQLite connections are still open after Dispose.");
        }
        finally
        {
            app.Dispose();
            Directory.Delete(app.DataFolder, recursive: true);
        }
    }

    private sealed class AppFailingToStart(StrongBox<bool> disposed) : ZiggyAppFactory(settings: new()
    {
        ["Ziggy:Database:Provider"] = "Postgres",
        ["Ziggy:Database:ConnectionString"] = $"Host=127.0.0.1;Port={Ports.Free()};Username=nobody;Timeout=5",
    })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // Made by the container as the host is built, so disposed with the host: the proof that it was.
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(_ => new DisposalProbe(disposed)));
        }
    }

    private sealed class DisposalProbe(StrongBox<bool> disposed) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose() => disposed.Value = true;
    }
}
