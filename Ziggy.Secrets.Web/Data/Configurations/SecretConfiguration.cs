using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    /// <summary>The filter of the indexes that cover only secrets in use.</summary>
    public const string NotTrashed = "\"DeletedAt\" IS NULL";

    public void Configure(EntityTypeBuilder<Secret> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(SecretRules.NameMaxLength).IsRequired();
        builder.Property(s => s.Description).HasMaxLength(SecretRules.DescriptionMaxLength).IsRequired();
        builder.Property(s => s.Version).IsConcurrencyToken();
        // A trashed secret is out of the grid, the editor and every name lookup unless a query asks for the Trash with
        // IgnoreQueryFilters; the Trash, purge, rotate-key and verify are the only ones that do.
        builder.HasQueryFilter(s => s.DeletedAt == null);
        // The database is the last word on "one name per organization", also for two creates at the same moment. A
        // trashed secret's name is free again (the same filter text works on SQLite and PostgreSQL).
        builder.HasIndex(s => new { s.OrganizationId, s.Name }).IsUnique().HasFilter(NotTrashed);
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.Owner).WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.CreatedBy).WithMany().HasForeignKey(s => s.CreatedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.UpdatedBy).WithMany().HasForeignKey(s => s.UpdatedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.DeletedBy).WithMany().HasForeignKey(s => s.DeletedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.OrganizationId, s.DeletedAt });
        builder.HasMany(s => s.Values).WithOne().HasForeignKey(v => v.SecretId).OnDelete(DeleteBehavior.Cascade);
    }
}
