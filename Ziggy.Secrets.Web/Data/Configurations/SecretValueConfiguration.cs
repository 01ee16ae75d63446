using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class SecretValueConfiguration : IEntityTypeConfiguration<SecretValue>
{
    public void Configure(EntityTypeBuilder<SecretValue> builder)
    {
        builder.HasKey(v => new { v.SecretId, v.Environment });
        builder.Property(v => v.Environment).HasConversion<string>().HasMaxLength(16);
        builder.Property(v => v.Nonce).IsRequired();
        builder.Property(v => v.Ciphertext).IsRequired();
        builder.Property(v => v.Mask).HasMaxLength(64).IsRequired();
        builder.HasIndex(v => v.KeyId);
        builder.HasOne<Crypto.StoredDataKey>().WithMany().HasForeignKey(v => v.KeyId).OnDelete(DeleteBehavior.Restrict);
    }
}
