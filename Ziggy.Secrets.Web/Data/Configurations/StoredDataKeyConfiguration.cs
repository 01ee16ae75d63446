using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class StoredDataKeyConfiguration : IEntityTypeConfiguration<StoredDataKey>
{
    public void Configure(EntityTypeBuilder<StoredDataKey> builder)
    {
        builder.ToTable("DataKeys");
        // Ids are chosen by the key code (they are bound into every ciphertext), never by the database.
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.Nonce).IsRequired();
        builder.Property(k => k.WrappedKey).IsRequired();
    }
}
