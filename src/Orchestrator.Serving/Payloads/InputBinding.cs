using System.Text;
using System.Text.Json;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>Where one signature input goes in a <see cref="ModelRow"/>: its kind, its position among the numeric or the
/// categorical inputs, and its ordinal in <see cref="ModelSignature.Inputs"/> (used to track which inputs a row set).</summary>
internal readonly record struct InputSlot(string Name, ColumnKind Kind, int Index, int Ordinal);

/// <summary>A model signature prepared for request parsing: a name → slot lookup that also takes the UTF-8 property
/// names of the JSON reader without allocating a string per name. Built once per loaded model.</summary>
internal sealed class InputBinding
{
    // Longer names fall back to an allocated string; real column names are far shorter.
    private const int StackNameLimit = 128;

    private readonly Dictionary<string, InputSlot> _byName;
    private readonly Dictionary<string, InputSlot>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public InputBinding(ModelSignature signature)
    {
        Signature = signature;
        Slots = new InputSlot[signature.Inputs.Count];
        _byName = new Dictionary<string, InputSlot>(StringComparer.Ordinal);
        int numeric = 0, categorical = 0;
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var column = signature.Inputs[i];
            var slot = column.Kind == ColumnKind.Numeric
                ? new InputSlot(column.Name, column.Kind, numeric++, i)
                : new InputSlot(column.Name, column.Kind, categorical++, i);
            Slots[i] = slot;
            if (!_byName.TryAdd(column.Name, slot))
            {
                throw new ArgumentException($"The model signature lists input '{column.Name}' twice", nameof(signature));
            }
        }

        NumericCount = numeric;
        CategoricalCount = categorical;
        _bySpan = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public ModelSignature Signature { get; }

    /// <summary>The inputs in signature order.</summary>
    public InputSlot[] Slots { get; }

    public int NumericCount { get; }

    public int CategoricalCount { get; }

    public bool TryFind(string name, out InputSlot slot) => _byName.TryGetValue(name, out slot);

    /// <summary>Looks up the property name the reader is on, decoding it onto the stack rather than into a string.</summary>
    public bool TryFind(ref Utf8JsonReader reader, out InputSlot slot)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= StackNameLimit)
        {
            Span<char> chars = stackalloc char[StackNameLimit];
            var written = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
            return _bySpan.TryGetValue(chars[..written], out slot);
        }

        return _byName.TryGetValue(reader.GetString()!, out slot);
    }

    /// <summary>A new row with every value unset (NaN / null), sized for this signature.</summary>
    public ModelRow NewRow()
    {
        var numeric = new float[NumericCount];
        Array.Fill(numeric, float.NaN);
        return new ModelRow(numeric, new string?[CategoricalCount]);
    }
}
