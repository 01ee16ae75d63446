using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    public void Configure(EntityTypeBuilder<Secret> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(SecretRules.NameMaxLength).IsRequired();
        builder.Property(s => s.Description).HasMaxLength(SecretRules.DescriptionMaxLength).IsRequired();
        builder.Property(s => s.Version).IsConcurrencyToken();
        // The database is the last word on "one name per organization", also for two creates at the same moment.
        builder.HasIndex(s => new { s.OrganizationId, s.Name }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.Owner).WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.CreatedBy).WithMany().HasForeignKey(s => s.CreatedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.UpdatedBy).WithMany().HasForeignKey(s => s.UpdatedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(s => s.Values).WithOne().HasForeignKey(v => v.SecretId).OnDelete(DeleteBehavior.Cascade);
    }
}
