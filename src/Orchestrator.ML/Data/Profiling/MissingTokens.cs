namespace Orchestrator.ML.Data.Profiling;

/// <summary>The texts that mean "no value" besides the empty field, compared ordinally (case matters).</summary>
internal sealed class MissingTokens
{
    private readonly string[] _tokens;
    private readonly int _longest;

    public MissingTokens(IEnumerable<string> tokens)
    {
        _tokens = [.. tokens.Where(token => token.Length > 0).Distinct(StringComparer.Ordinal)];
        _longest = _tokens.Length == 0 ? 0 : _tokens.Max(token => token.Length);
    }

    public bool Contains(ReadOnlySpan<char> text)
    {
        if (text.Length > _longest)
        {
            return false;
        }

        foreach (var token in _tokens)
        {
            if (text.SequenceEqual(token))
            {
                return true;
            }
        }

        return false;
    }
}
