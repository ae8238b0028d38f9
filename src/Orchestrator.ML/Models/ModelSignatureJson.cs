using System.Text.Json;

namespace Orchestrator.ML.Models;

/// <summary>A signature as JSON, in the same form as a package's <c>signature.json</c>: what the registry stores with a
/// version and the serving API shows.</summary>
public static class ModelSignatureJson
{
    public static string ToJson(ModelSignature signature, string? trainer = null) =>
        JsonSerializer.Serialize(SignatureDocument.From(signature, trainer), ModelPackageFormat.Json);

    public static ModelSignature FromJson(string json) =>
        (JsonSerializer.Deserialize<SignatureDocument>(json, ModelPackageFormat.Json)
            ?? throw new InvalidDataException("signature JSON is null")).ToSignature();
}
