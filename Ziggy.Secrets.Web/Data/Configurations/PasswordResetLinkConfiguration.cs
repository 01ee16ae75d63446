using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class PasswordResetLinkConfiguration : IEntityTypeConfiguration<PasswordResetLink>
{
    public void Configure(EntityTypeBuilder<PasswordResetLink> builder)
    {
        builder.Property(l => l.TokenHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(l => l.TokenHash).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(l => l.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
