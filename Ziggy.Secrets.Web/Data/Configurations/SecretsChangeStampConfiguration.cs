using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Data.Configurations;

/// <summary>Written only by the triggers of migration OrganizationChangeStamps; the app reads it.</summary>
public sealed class SecretsChangeStampConfiguration : IEntityTypeConfiguration<SecretsChangeStamp>
{
    public void Configure(EntityTypeBuilder<SecretsChangeStamp> builder)
    {
        builder.ToTable("SecretsChangeStamps");
        builder.HasKey(s => s.OrganizationId);
        builder.Property(s => s.OrganizationId).ValueGeneratedNever();
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
