namespace Ziggy.Secrets.Web.Secrets;

/// <summary>
/// Purges the Trash when the app starts and then every hour (<see cref="TrashService.PurgeDueAsync"/>). Every instance
/// runs it; the purge of one secret is idempotent, so two instances on one PostgreSQL database never purge twice.
/// </summary>
public sealed class TrashPurgeJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TrashPurgeJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    // One pass at a time in this process: a pass that starts while another runs waits, then finds what is left.
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>One pass: purges what is due now. Answers how many secrets it purged.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var purged = await scope.ServiceProvider.GetRequiredService<TrashService>().PurgeDueAsync(cancellationToken);
            if (purged > 0) logger.LogInformation("Purged {Count} secret(s) from the trash", purged);
            return purged;
        }
        finally
        {
            _pass.Release();
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _pass.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The next pass tries again; a failed pass changed nothing (each purge is one transaction).
                logger.LogError(e, "Purging the trash failed; it is tried again in {Interval}", Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
