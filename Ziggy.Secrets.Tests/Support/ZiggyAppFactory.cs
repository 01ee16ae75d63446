using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>The real app on a fresh data folder (its own SQLite file), with a clock the test can move.</summary>
public class ZiggyAppFactory(string? dataFolder = null, Dictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string Password = "correct horse battery";

    public string DataFolder { get; } = dataFolder ?? Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));

    /// <summary>For restart tests: a second factory opens the same data folder.</summary>
    public bool KeepDataOnDispose { get; set; }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Services to replace or decorate after the app's own registrations (a counting decorator, say).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>Every response any session of this app received (status, headers, body).</summary>
    public ConcurrentQueue<string> Responses { get; } = new();

    /// <summary>Every log line the app wrote, at every level.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>
    /// The SQL of every statement the app logged as executed, oldest first; needs the setting
    /// <c>Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command</c> at Information.
    /// </summary>
    public List<string> ExecutedStatements() => LogLines
        .Where(l => l.Contains("Executed DbCommand", StringComparison.Ordinal))
        .Select(l => Regex.Match(l, @"CommandTimeout='\d+'\]\s*(?<sql>.*)$", RegexOptions.Singleline).Groups["sql"].Value)
        .ToList();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // A host watching its appsettings files holds inotify instances; a test run's hundreds of hosts would exhaust the
        // user's limit (128 by default), and every later host would fail to start.
        builder.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        builder.UseSetting(Web.Data.DataFolder.ConfigurationKey, DataFolder);
        foreach (var (key, value) in settings ?? []) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            TestServices?.Invoke(services);
        });
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(new CapturingLoggerProvider(LogLines));
            logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
        });
    }

    public TestSession CreateSession(string baseAddress = "http://localhost") =>
        new(CreateDefaultClient(new Uri(baseAddress), new ResponseRecorder(Responses), new CookieContainerHandler()));

    /// <summary>
    /// The canary appears in no request URL, response body or header and no log line, in any of its common encodings, and
    /// not in the SQLite file, its WAL (audit rows included) or the Data Protection key folder.
    /// </summary>
    public void AssertNeverRevealed(string canary)
    {
        var forms = new[]
        {
            canary, Uri.EscapeDataString(canary), System.Net.WebUtility.HtmlEncode(canary),
            System.Text.Json.JsonSerializer.Serialize(canary).Trim('"'), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(canary)),
        }.Distinct();
        foreach (var form in forms)
        {
            Assert.DoesNotContain(Responses, r => r.Contains(form, StringComparison.Ordinal));
            Assert.DoesNotContain(LogLines, l => l.Contains(form, StringComparison.Ordinal));
        }

        SqliteFileAssert.DoesNotContain(DatabasePath, canary);
        var keys = Path.Combine(DataFolder, "keys");
        foreach (var file in Directory.Exists(keys) ? Directory.GetFiles(keys) : [])
            Assert.DoesNotContain(canary, File.ReadAllText(file), StringComparison.Ordinal);
    }

    public string DatabasePath => Web.Data.DataFolder.DatabasePath(DataFolder);

    public async Task<T> WithDbAsync<T>(Func<ZiggyDbContext, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<ZiggyDbContext>());
    }

    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> work) where TService : notnull
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>First-run setup through the domain service: organization "Acme" and its SuperAdmin.</summary>
    public async Task<ApplicationUser> SetUpAsync(string email = "owner@acme.test", string organization = "Acme")
    {
        var result = await WithServiceAsync<SetupService, Web.Common.Result<ApplicationUser>>(s =>
            s.CompleteAsync(new SetupInput(organization, email, "Olivia Owner", Password)));
        Assert.True(result.IsOk, string.Join("; ", result.Errors.Select(e => e.Message)));
        return result.Value!;
    }

    /// <summary>Adds a user straight into an organization (the invitation flow has tests of its own).</summary>
    public async Task<ApplicationUser> AddUserAsync(Guid organizationId, string email, Role role, string displayName)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            UserName = email, Email = email, DisplayName = displayName, Role = role,
            OrganizationId = organizationId, CreatedAt = Clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        return user;
    }

    public async Task<Guid> AddOrganizationAsync(string name)
    {
        var organization = new Organization { Name = name, CreatedAt = Clock.GetUtcNow() };
        await WithDbAsync(async db =>
        {
            db.Organizations.Add(organization);
            return await db.SaveChangesAsync();
        });
        return organization.Id;
    }

    /// <summary>
    /// Starts the app on a real loopback port, runs first-run setup and signs its owner in over a real TCP connection, for
    /// what only a real connection shows (the client's address).
    /// </summary>
    public async Task<TestSession> SignInOverTcpAsync()
    {
        UseKestrel(0);
        StartServer();
        await SetUpAsync();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() };
        var session = new TestSession(new HttpClient(handler, disposeHandler: true) { BaseAddress = ClientOptions.BaseAddress });
        var signIn = await session.GetPageAsync("/Account/SignIn");
        await session.SubmitAsync(signIn.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = Password });
        return session;
    }

    /// <summary>Signs in through the real sign-in form.</summary>
    public async Task<TestSession> SignInAsync(string email, string password = Password)
    {
        var session = CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");
        var response = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return session;
    }

    /// <remarks>
    /// WebApplicationFactory keeps no reference to a host whose start threw, so it would never be disposed: its
    /// services, connections and file watchers would outlive the test. The factory's own CreateHost still builds and
    /// starts the host (it also applies the port given to UseKestrel between the two).
    /// </remarks>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var remembering = new RememberingHostBuilder(builder);
        try
        {
            return base.CreateHost(remembering);
        }
        catch
        {
            remembering.Built?.Dispose();
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // WebApplicationFactory's finalizer calls this too, also on a factory whose constructor threw.
        if (!disposing) return;
        AppSqlitePool.Clear(DatabasePath);
        if (KeepDataOnDispose) return;
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temp folder behind.
        }
    }

    /// <summary>The factory's host builder, remembering the host it built.</summary>
    private sealed class RememberingHostBuilder(IHostBuilder builder) : IHostBuilder
    {
        public IHost? Built { get; private set; }

        public IDictionary<object, object> Properties => builder.Properties;

        public IHost Build() => Built = builder.Build();

        public IHostBuilder ConfigureHostConfiguration(Action<IConfigurationBuilder> configureDelegate) =>
            Chain(builder.ConfigureHostConfiguration(configureDelegate));

        public IHostBuilder ConfigureAppConfiguration(Action<HostBuilderContext, IConfigurationBuilder> configureDelegate) =>
            Chain(builder.ConfigureAppConfiguration(configureDelegate));

        public IHostBuilder ConfigureServices(Action<HostBuilderContext, IServiceCollection> configureDelegate) =>
            Chain(builder.ConfigureServices(configureDelegate));

        public IHostBuilder UseServiceProviderFactory<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory)
            where TContainerBuilder : notnull => Chain(builder.UseServiceProviderFactory(factory));

        public IHostBuilder UseServiceProviderFactory<TContainerBuilder>(Func<HostBuilderContext, IServiceProviderFactory<TContainerBuilder>> factory)
            where TContainerBuilder : notnull => Chain(builder.UseServiceProviderFactory(factory));

        public IHostBuilder ConfigureContainer<TContainerBuilder>(Action<HostBuilderContext, TContainerBuilder> configureDelegate) =>
            Chain(builder.ConfigureContainer(configureDelegate));

        private RememberingHostBuilder Chain(IHostBuilder _) => this;
    }
}
