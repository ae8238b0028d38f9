using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Secrets.Keys;

/// <summary>The 256-bit key Variables and Connections are sealed with, and its id: a short fingerprint stored next
/// to every ciphertext so that a value sealed with another key is recognised as such, never decrypted into garbage.
/// The id is an HMAC of a constant under the key: it reveals nothing about the key.</summary>
public sealed class SecretKey
{
    public const int Length = 32;

    private static readonly byte[] IdLabel = Encoding.ASCII.GetBytes("orchestrator secret key id v1");

    public SecretKey(byte[] material, string source)
    {
        ArgumentNullException.ThrowIfNull(material);
        if (material.Length != Length)
        {
            throw new SecretKeyException($"{source}: a secret key is {Length} bytes, this one is {material.Length}");
        }

        Material = material;
        Source = source;
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(material, IdLabel).AsSpan(0, 6));
    }

    public byte[] Material { get; }

    /// <summary>Where the key came from (the environment variable or the key file), for messages.</summary>
    public string Source { get; }

    public string Id { get; }

    /// <summary>A fresh random key.</summary>
    public static SecretKey Generate(string source) => new(RandomNumberGenerator.GetBytes(Length), source);
}

/// <summary>The secret key is missing, malformed or unusable; the message says where it came from and what is expected.</summary>
public sealed class SecretKeyException : Exception
{
    public SecretKeyException(string message) : base(message)
    {
    }

    public SecretKeyException(string message, Exception inner) : base(message, inner)
    {
    }

    public SecretKeyException()
    {
    }
}
