using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class SecretValueVersionConfiguration : IEntityTypeConfiguration<SecretValueVersion>
{
    public void Configure(EntityTypeBuilder<SecretValueVersion> builder)
    {
        builder.Property(v => v.Environment).HasConversion<string>().HasMaxLength(16);
        builder.Property(v => v.Mask).HasMaxLength(64);
        // One number per secret and environment; the database refuses a second writer's duplicate.
        builder.HasIndex(v => new { v.SecretId, v.Environment, v.Number }).IsUnique();
        // Pruning reads only the versions older than the age limit (at most the newest kept ones plus those it deletes),
        // however many young versions an environment has.
        builder.HasIndex(v => new { v.SecretId, v.Environment, v.WrittenAt });
        builder.HasIndex(v => v.KeyId);
        // A secret purged for good takes its whole history with it.
        builder.HasOne<Secret>().WithMany().HasForeignKey(v => v.SecretId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(v => v.WrittenBy).WithMany().HasForeignKey(v => v.WrittenById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Crypto.StoredDataKey>().WithMany().HasForeignKey(v => v.KeyId).OnDelete(DeleteBehavior.Restrict);
    }
}
