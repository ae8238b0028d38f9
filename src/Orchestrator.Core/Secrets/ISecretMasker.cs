namespace Orchestrator.Core.Secrets;

/// <summary>Replaces every secret value in a text by <c>***</c>: applied wherever a try's text leaves it (log lines,
/// stored outputs, listings of conf), so a secret handed to a task is never shown back.</summary>
public interface ISecretMasker
{
    string Mask(string text);
}

/// <summary>A masker that knows no secrets.</summary>
public sealed class NoSecretMasker : ISecretMasker
{
    public static NoSecretMasker Instance { get; } = new();

    public string Mask(string text) => text;
}
