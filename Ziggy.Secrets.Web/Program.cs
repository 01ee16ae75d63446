using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Client;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Hosting;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Operations;
using Ziggy.Secrets.Web.Secrets;
using Ziggy.Secrets.Web.Tokens;

var (command, exitCode) = CommandLine.Parse(args, Console.Out, Console.Error);
if (command is null) return exitCode;

// The client verbs need no data folder, master key or database: they only talk to a server.
if (command.Verb is "run" or "get")
{
    try
    {
        if (command.Verb == "run") return await RunCommand.RunAsync(command, ClientRequest.ProcessEnvironment, Console.Error);
        await using var stdout = Console.OpenStandardOutput();
        return await GetCommand.RunAsync(command, ClientRequest.ProcessEnvironment, stdout, Console.Error);
    }
    catch (Exception e)
    {
        // One line like every other failure, and only the kind of error: a message could hold what was being handled.
        return new ClientFailure(ExitCodes.ServerError, $"{command.Verb} failed unexpectedly ({e.GetType().Name}).").Report(Console.Error);
    }
}

var builder = WebApplication.CreateBuilder(HostOptions(command.HostArgs));

var dataFolder = DataFolder.Resolve(builder.Configuration);
if (DataFolder.Prepare(dataFolder) is { } dataFolderError)
{
    Console.Error.WriteLine(dataFolderError);
    return 1;
}

var bootLog = new BootLog();
if (DataFolder.WideModeWarning(dataFolder) is { } dataFolderWarning) bootLog.LogWarning("{Warning}", dataFolderWarning);

var (database, databaseError) = DatabaseSettings.From(builder.Configuration);
if (database is null)
{
    Console.Error.WriteLine(databaseError);
    return 1;
}

var (links, linksError) = PublicLinks.From(builder.Configuration);
if (links is null)
{
    Console.Error.WriteLine(linksError);
    return 1;
}

// Backup and restore work on the database file alone: no master key, no server.
if (database.IsPostgres && command.Verb is "backup" or "restore")
{
    Console.Error.WriteLine("backup and restore work on the embedded SQLite database; on PostgreSQL use pg_dump and pg_restore.");
    return 1;
}

if (command.Verb == "backup") return BackupCommands.Backup(dataFolder, command.Option("--to")!, Console.Out, Console.Error);
if (command.Verb == "restore") return BackupCommands.Restore(dataFolder, command.Option("--from")!, Console.Out, Console.Error);

var (masterKey, masterKeyError) = CryptoRegistration.LoadMasterKey(builder.Configuration, dataFolder, bootLog);
if (masterKey is null)
{
    Console.Error.WriteLine(masterKeyError);
    return 1;
}

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddZiggyData(dataFolder, database);
builder.Services.AddZiggyCrypto(masterKey);
builder.Services.AddZiggyAccounts();
builder.Services.AddZiggySecrets();
builder.Services.AddZiggyIntegrations(builder.Configuration);
builder.Services.AddZiggyTokens(builder.Configuration);
builder.Services.AddZiggyWeb();
builder.Services.AddSingleton(links);

var app = builder.Build();
bootLog.ReplayTo(app.Logger);
app.Services.MigrateZiggyDatabase();
if (app.Services.OpenZiggyKeys() is { } keyError)
{
    Console.Error.WriteLine(keyError);
    return 1;
}

switch (command.Verb)
{
    case "verify":
        return await VerifyCommand.RunAsync(app.Services, Console.Out, Console.Error);
    case "rotate-key":
        return await RotateKeyCommand.RunAsync(app.Services, command, dataFolder, Console.Out, Console.Error);
    case "reset-password":
        var publicUrl = links.BaseUrl ?? Environment.GetEnvironmentVariable("ZIGGY_URLS")?.Split(';')[0] ?? app.Configuration["Urls"]?.Split(';')[0] ?? ListeningAddress.Default;
        return await ResetPasswordCommand.RunAsync(app.Services, command.Option("--email")!, publicUrl, Console.Out, Console.Error);
}

app.UseZiggyWeb();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Ziggy Secrets is running at {Urls} (data folder: {DataFolder})", string.Join(", ", app.Urls), dataFolder));

app.Run();
return 0;

// The single binary (README, "Single binary") runs from the folder it extracts itself to, which holds wwwroot and
// appsettings.json: that folder is its content root (the data folder stays relative to the working directory).
static WebApplicationOptions HostOptions(string[] args)
{
    var singleFile = AppContext.TryGetSwitch("Ziggy.Secrets.SingleFile", out var on) && on;
    return new WebApplicationOptions
    {
        Args = ListeningAddress.HostArgs(args, Environment.GetEnvironmentVariable),
        ContentRootPath = singleFile ? AppContext.BaseDirectory : null,
    };
}
