using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Storage.Records;

namespace Orchestrator.Secrets.Tests;

public sealed class SecretCipherTests
{
    private static readonly SecretCipher Cipher = new(new SecretKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), "test key"));

    [Theory]
    [InlineData("")]
    [InlineData("s3cr3t")]
    [InlineData("ünïcödé ✓ and \n newlines")]
    public void Sealed_OpensBackToTheSameText(string text)
    {
        var sealedValue = Cipher.Seal(text, "variable", "v");

        Assert.Equal(text, Cipher.Open(sealedValue, "variable", "v"));
        Assert.Equal(Cipher.KeyId, sealedValue.KeyId);
    }

    [Fact]
    public void Sealing_IsRandomised_AndHidesTheText()
    {
        var first = Cipher.Seal("hunter2-password", "variable", "v");
        var second = Cipher.Seal("hunter2-password", "variable", "v");

        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
        Assert.DoesNotContain("hunter2", first.Ciphertext, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(first.Ciphertext)), StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherKey_IsAClearError_NotGarbage()
    {
        var sealedValue = Cipher.Seal("value", "variable", "db_password");
        var other = new SecretCipher(SecretKey.Generate("ORCHESTRATOR_SECRET_KEY"));

        var error = Assert.Throws<SecretDecryptionException>(() => other.Open(sealedValue, "variable", "db_password"));

        Assert.StartsWith("cannot decrypt variable db_password: the key differs from the one it was written with", error.Message, StringComparison.Ordinal);
        Assert.Contains(sealedValue.KeyId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueMovedToAnotherName_DoesNotOpen()
    {
        var sealedValue = Cipher.Seal("value", "variable", "a");

        var error = Assert.Throws<SecretDecryptionException>(() => Cipher.Open(sealedValue, "variable", "b"));
        Assert.Contains("altered or belongs to another variable", error.Message, StringComparison.Ordinal);
        Assert.Throws<SecretDecryptionException>(() => Cipher.Open(sealedValue, "connection", "a"));
    }

    [Fact]
    public void AnAlteredValue_DoesNotOpen()
    {
        var sealedValue = Cipher.Seal("value", "variable", "a");
        var bytes = Convert.FromBase64String(sealedValue.Ciphertext);
        bytes[^1] ^= 1;

        Assert.Throws<SecretDecryptionException>(() => Cipher.Open(sealedValue with { Ciphertext = Convert.ToBase64String(bytes) }, "variable", "a"));
        Assert.Contains("not base64", Assert.Throws<SecretDecryptionException>(() => Cipher.Open(new SealedValue(Cipher.KeyId, "%%"), "variable", "a")).Message, StringComparison.Ordinal);
        Assert.Contains("format", Assert.Throws<SecretDecryptionException>(() => Cipher.Open(new SealedValue(Cipher.KeyId, "AAAA"), "variable", "a")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyId_DependsOnTheKey_AndIsStable()
    {
        var material = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        Assert.Equal(new SecretKey(material, "a").Id, new SecretKey((byte[])material.Clone(), "b").Id);
        Assert.NotEqual(new SecretKey(material, "a").Id, SecretKey.Generate("c").Id);
        Assert.Throws<SecretKeyException>(() => new SecretKey(new byte[16], "short"));
    }
}
