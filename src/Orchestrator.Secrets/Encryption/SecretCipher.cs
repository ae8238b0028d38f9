using System.Security.Cryptography;
using System.Text;
using Orchestrator.Secrets.Keys;
using Orchestrator.Storage.Records;

namespace Orchestrator.Secrets.Encryption;

/// <summary>Seals and opens secret values with AES-256-GCM. The sealed form is base64 of
/// <c>version (1 byte) | nonce (12) | tag (16) | ciphertext</c>, stored with the key's id. The value's kind and name
/// are authenticated (associated data), so a ciphertext copied onto another row does not open there.</summary>
public sealed class SecretCipher
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    private readonly Lazy<SecretKey> _key;

    public SecretCipher(SecretKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = new Lazy<SecretKey>(key);
    }

    /// <summary>A cipher whose key is looked up when first needed, so commands that never touch a value (such as
    /// <c>variables list</c>) neither need the key nor create the key file.</summary>
    public SecretCipher(Func<SecretKey> key)
    {
        _key = new Lazy<SecretKey>(key, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The cipher for a home: <see cref="SecretKeys.Load"/> on first use.</summary>
    public static SecretCipher ForHome(string home, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(() => SecretKeys.Load(home, logger));

    public string KeyId => _key.Value.Id;

    /// <summary>Seals <paramref name="plaintext"/> as the value of the <paramref name="kind"/> ("variable" or
    /// "connection") named <paramref name="name"/>: both are authenticated and appear in error messages.</summary>
    public SealedValue Seal(string plaintext, string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var key = _key.Value;
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[HeaderSize + clear.Length];
        sealedBytes[0] = FormatVersion;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, clear, sealedBytes.AsSpan(HeaderSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), AssociatedData(kind, name));
        return new SealedValue(key.Id, Convert.ToBase64String(sealedBytes));
    }

    /// <exception cref="SecretDecryptionException">The value was sealed with another key, was altered, or is not
    /// in a format this version reads.</exception>
    public string Open(SealedValue value, string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        var key = _key.Value;
        if (!string.Equals(value.KeyId, key.Id, StringComparison.Ordinal))
        {
            throw new SecretDecryptionException(
                $"cannot decrypt {kind} {name}: the key differs from the one it was written with (it was written with key id {value.KeyId}; " +
                $"the key in use, from {key.Source}, has id {key.Id}). Use the original key, or set the {kind} again.");
        }

        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(value.Ciphertext);
        }
        catch (FormatException exception)
        {
            throw new SecretDecryptionException($"cannot decrypt {kind} {name}: the stored value is not base64", exception);
        }

        if (sealedBytes.Length < HeaderSize || sealedBytes[0] != FormatVersion)
        {
            throw new SecretDecryptionException($"cannot decrypt {kind} {name}: the stored value is not in a format this version reads");
        }

        var clear = new byte[sealedBytes.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(1, NonceSize), sealedBytes.AsSpan(HeaderSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), clear, AssociatedData(kind, name));
        }
        catch (AuthenticationTagMismatchException exception)
        {
            throw new SecretDecryptionException($"cannot decrypt {kind} {name}: the stored value was altered or belongs to another {kind}", exception);
        }

        return Encoding.UTF8.GetString(clear);
    }

    private static byte[] AssociatedData(string kind, string name) => Encoding.UTF8.GetBytes($"orchestrator/{kind}/{name}");
}

/// <summary>A stored secret could not be opened; the message names it and says why.</summary>
public sealed class SecretDecryptionException : InvalidOperationException
{
    public SecretDecryptionException(string message) : base(message)
    {
    }

    public SecretDecryptionException(string message, Exception inner) : base(message, inner)
    {
    }

    public SecretDecryptionException()
    {
    }
}
