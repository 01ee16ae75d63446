using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> builder)
    {
        builder.Property(i => i.Name).HasMaxLength(IntegrationRules.NameMaxLength).IsRequired();
        builder.Property(i => i.Method).HasMaxLength(10).IsRequired();
        builder.Property(i => i.Url).HasMaxLength(IntegrationRules.UrlMaxLength).IsRequired();
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.HasIndex(i => new { i.OrganizationId, i.Name }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.Owner).WithMany().HasForeignKey(i => i.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(i => i.References).WithOne().HasForeignKey(r => r.IntegrationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class IntegrationSecretReferenceConfiguration : IEntityTypeConfiguration<IntegrationSecretReference>
{
    public void Configure(EntityTypeBuilder<IntegrationSecretReference> builder)
    {
        builder.HasKey(r => new { r.IntegrationId, r.SecretName });
        builder.Property(r => r.SecretName).HasMaxLength(200);
        builder.HasIndex(r => r.SecretName);
    }
}

public sealed class IntegrationRunConfiguration : IEntityTypeConfiguration<IntegrationRun>
{
    public void Configure(EntityTypeBuilder<IntegrationRun> builder)
    {
        builder.Property(r => r.Environment).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.IntegrationId, r.StartedAt });
        builder.HasOne<Integration>().WithMany().HasForeignKey(r => r.IntegrationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.RunBy).WithMany().HasForeignKey(r => r.RunById).OnDelete(DeleteBehavior.Restrict);
    }
}
