using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Hosting;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

var builder = WebApplication.CreateBuilder(HostOptions(args));

var dataFolder = DataFolder.Resolve(builder.Configuration);
if (DataFolder.Prepare(dataFolder) is { } dataFolderError)
{
    Console.Error.WriteLine(dataFolderError);
    return 1;
}

var bootLog = new BootLog();
var (masterKey, masterKeyError) = CryptoRegistration.LoadMasterKey(builder.Configuration, dataFolder, bootLog);
if (masterKey is null)
{
    Console.Error.WriteLine(masterKeyError);
    return 1;
}

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddZiggyData(dataFolder);
builder.Services.AddZiggyCrypto(masterKey);
builder.Services.AddZiggyAccounts();
builder.Services.AddZiggySecrets();
builder.Services.AddZiggyIntegrations(builder.Configuration);
builder.Services.AddZiggyWeb();

var app = builder.Build();
bootLog.ReplayTo(app.Logger);
app.Services.MigrateZiggyDatabase();
if (app.Services.OpenZiggyKeys() is { } keyError)
{
    Console.Error.WriteLine(keyError);
    return 1;
}

app.UseZiggyWeb();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Ziggy Secrets is running at {Urls} (data folder: {DataFolder})", string.Join(", ", app.Urls), dataFolder));

app.Run();
return 0;

// The single binary (README, "Single binary") runs from the folder it extracts itself to, which holds wwwroot and
// appsettings.json: that folder is its content root (the data folder stays relative to the working directory).
// ZIGGY_URLS sets the listening URLs; it wins over ASPNETCORE_URLS, an explicit --urls argument wins over it.
static WebApplicationOptions HostOptions(string[] args)
{
    var urls = Environment.GetEnvironmentVariable("ZIGGY_URLS");
    var singleFile = AppContext.TryGetSwitch("Ziggy.Secrets.SingleFile", out var on) && on;
    return new WebApplicationOptions
    {
        Args = string.IsNullOrWhiteSpace(urls) ? args : ["--urls", urls, .. args],
        ContentRootPath = singleFile ? AppContext.BaseDirectory : null,
    };
}
