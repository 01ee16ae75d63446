using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.Property(o => o.Name).HasMaxLength(Organization.NameMaxLength).IsRequired();
        // Names compare case-insensitively so "Acme" and "ACME" cannot both exist.
        builder.Property(o => o.Name).UseCollation("NOCASE");
        builder.HasIndex(o => o.Name).IsUnique();
    }
}
