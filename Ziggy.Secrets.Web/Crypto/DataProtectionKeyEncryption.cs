using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>Encrypts Data Protection key XML with AES-256-GCM under the key derived from the master key.</summary>
public sealed class DataProtectionKeyProtector(byte[] key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] AssociatedData = "ziggy:data-protection-key-xml:v1"u8.ToArray();

    public string Protect(string xml)
    {
        var plaintext = Encoding.UTF8.GetBytes(xml);
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), AssociatedData);
        CryptographicOperations.ZeroMemory(plaintext);
        return Convert.ToBase64String(output);
    }

    public string Unprotect(string protectedXml)
    {
        var input = Convert.FromBase64String(protectedXml);
        if (input.Length < NonceSize + TagSize) throw new CryptographicException("The Data Protection key is damaged.");
        var plaintext = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, plaintext.Length), input.AsSpan(NonceSize + plaintext.Length), plaintext, AssociatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CryptographicException("The Data Protection key cannot be decrypted: the master key does not match this data folder.");
        }

        return Encoding.UTF8.GetString(plaintext);
    }
}

public sealed class MasterKeyXmlEncryptor(DataProtectionKeyProtector protector) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("encryptedKey",
                new XComment(" Encrypted with AES-256-GCM under a key derived from the Ziggy Secrets master key. "),
                new XElement("value", protector.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting)))),
            typeof(MasterKeyXmlDecryptor));
}

/// <summary>Created by Data Protection itself (by type name, with the service provider) when it reads a key.</summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(services.GetRequiredService<DataProtectionKeyProtector>().Unprotect((string)encryptedElement.Element("value")!));
}
