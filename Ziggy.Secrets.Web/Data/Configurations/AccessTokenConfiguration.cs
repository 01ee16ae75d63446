using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> builder)
    {
        builder.Property(t => t.Purpose).HasMaxLength(AccessToken.PurposeMaxLength).IsRequired();
        builder.Property(t => t.Environment).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.AllowedNetworks).HasMaxLength(AccessToken.NetworksMaxLength);
        builder.Property(t => t.RevokedByName).HasMaxLength(ApplicationUser.DisplayNameMaxLength);
        builder.Property(t => t.LastUsedIp).HasMaxLength(64);
        builder.Property(t => t.Hash).HasMaxLength(32).IsRequired();
        // The API finds a token by its hash alone; two tokens with one hash could not be told apart.
        builder.HasIndex(t => t.Hash).IsUnique();
        builder.HasIndex(t => new { t.OrganizationId, t.CreatedAt });
        builder.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(t => t.CreatedBy).WithMany().HasForeignKey(t => t.CreatedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(t => t.Secrets).WithOne().HasForeignKey(s => s.AccessTokenId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class AccessTokenSecretConfiguration : IEntityTypeConfiguration<AccessTokenSecret>
{
    public void Configure(EntityTypeBuilder<AccessTokenSecret> builder)
    {
        // No foreign key to the secret: a deleted secret stays in the scope under the name it had, so the API can say
        // which secret no longer exists.
        builder.HasKey(s => new { s.AccessTokenId, s.SecretId });
        builder.Property(s => s.Name).HasMaxLength(Secrets.SecretRules.NameMaxLength).IsRequired();
    }
}
