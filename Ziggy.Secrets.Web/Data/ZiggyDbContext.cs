using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Web.Data;

/// <summary>The app's database. SQLite by default (this type); <see cref="PostgresZiggyDbContext"/> on PostgreSQL.</summary>
public class ZiggyDbContext : IdentityUserContext<ApplicationUser, Guid>, IDataProtectionKeyContext
{
    public ZiggyDbContext(DbContextOptions<ZiggyDbContext> options)
        : base(options)
    {
    }

    protected ZiggyDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Used on PostgreSQL, where several instances must share the keys that sign the auth cookies.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<UserSession> UserSessions => Set<UserSession>();
    public DbSet<PasswordResetLink> PasswordResetLinks => Set<PasswordResetLink>();

    public DbSet<Secret> Secrets => Set<Secret>();

    public DbSet<SecretValue> SecretValues => Set<SecretValue>();

    public DbSet<SecretValueVersion> SecretValueVersions => Set<SecretValueVersion>();

    public DbSet<SecretsChangeStamp> SecretsChangeStamps => Set<SecretsChangeStamp>();

    public DbSet<StoredDataKey> DataKeys => Set<StoredDataKey>();

    public DbSet<Integration> Integrations => Set<Integration>();

    public DbSet<IntegrationSecretReference> IntegrationSecretReferences => Set<IntegrationSecretReference>();

    public DbSet<IntegrationRun> IntegrationRuns => Set<IntegrationRun>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();

    public DbSet<AccessTokenSecret> AccessTokenSecrets => Set<AccessTokenSecret>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ZiggyDbContext).Assembly);

        // Organization names compare case-insensitively ("Acme" and "ACME" cannot both exist), in each engine's own way.
        var organizationName = builder.Entity<Organization>().Property(o => o.Name);
        if (Database.IsNpgsql())
        {
            builder.HasCollation("ziggy_case_insensitive", locale: "und-u-ks-level2", provider: "icu", deterministic: false);
            organizationName.UseCollation("ziggy_case_insensitive");
        }
        else
        {
            organizationName.UseCollation("NOCASE");
            // The grid reads every secret of an organization in name order. On SQLite this index holds all the grid's
            // columns, so the read walks one index instead of visiting each row. Not on PostgreSQL, whose index entries
            // cannot hold a 1,000-character description. It holds only secrets in use, like the grid; DeletedAt (always
            // null in it) is there too, or SQLite would visit each row to check the grid's "not in the trash".
            builder.Entity<Secret>()
                .HasIndex(s => new { s.OrganizationId, s.Name, s.Description, s.HasDevelopment, s.HasStaging, s.HasProduction, s.OwnerId, s.CreatedAt, s.Id, s.ProductionMatchesOther, s.DeletedAt })
                .HasDatabaseName("IX_Secrets_Grid")
                .HasFilter(Configurations.SecretConfiguration.NotTrashed);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset natively; store UTC ticks so queries stay in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }
}
