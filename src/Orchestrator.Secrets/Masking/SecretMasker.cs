using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Secrets.Masking;

/// <summary>Replaces every known secret in a text by <c>***</c>. One per try (or per process): secrets are added
/// as they are handed out, and <see cref="Mask"/> may run concurrently with <see cref="Add"/>.
/// <para>Besides the value itself it masks the forms a value usually takes when it is printed: JSON-escaped
/// (strict and relaxed), percent-encoded, inside a shell single-quoted word, and each line of a multi-line value.
/// Values shorter than <see cref="MinimumLength"/> are ignored: masking every "a" or "1" would hide the log, not
/// the secret. Where several secrets overlap, their union is masked as one <c>***</c>.</para>
/// <para>The search is one pass of <see cref="SearchValues{T}"/> (a multi-string matcher) over the text, so the cost
/// grows with the text, not with the number of secrets.</para></summary>
public sealed class SecretMasker : ISecretMasker
{
    public const int DefaultMinimumLength = 4;

    public const string Replacement = "***";

    private readonly Lock _gate = new();
    private readonly HashSet<string> _patterns = new(StringComparer.Ordinal);
    private volatile Matcher? _matcher;

    public SecretMasker(int minimumLength = DefaultMinimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumLength, 1);
        MinimumLength = minimumLength;
    }

    public int MinimumLength { get; }

    /// <summary>How many distinct strings (values and their encodings) are masked.</summary>
    public int PatternCount => _matcher?.Count ?? 0;

    /// <summary>Masks <paramref name="secret"/> (and its encodings) from now on; null and short values are ignored.</summary>
    public void Add(string? secret)
    {
        if (secret is null || secret.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            var before = _patterns.Count;
            foreach (var form in Forms(secret))
            {
                if (form.Length >= MinimumLength)
                {
                    _patterns.Add(form);
                }
            }

            if (_patterns.Count != before)
            {
                _matcher = new Matcher([.. _patterns]);
            }
        }
    }

    public void AddRange(IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            Add(secret);
        }
    }

    public string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matcher = _matcher;
        return matcher is null ? text : matcher.Mask(text);
    }

    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        yield return JsonEncodedText.Encode(secret).Value;
        yield return JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value;
        yield return Uri.EscapeDataString(secret);
        // Inside a single-quoted shell word a quote is written '\'' (or '"'"'); the rest of the value is unchanged.
        yield return secret.Replace("'", "'\\''", StringComparison.Ordinal);
        yield return secret.Replace("'", "'\"'\"'", StringComparison.Ordinal);
        if (secret.Contains('\n', StringComparison.Ordinal))
        {
            // Logs are stored line by line: a multi-line secret (a private key) never appears whole in one line.
            foreach (var line in secret.Split('\n'))
            {
                yield return line.TrimEnd('\r');
            }
        }
    }

    /// <summary>An immutable snapshot of the patterns: rebuilt on <see cref="Add"/>, read without locks.</summary>
    private sealed class Matcher
    {
        private readonly SearchValues<string> _search;
        private readonly Dictionary<char, string[]> _byFirstChar;

        public Matcher(string[] patterns)
        {
            Count = patterns.Length;
            _search = SearchValues.Create(patterns, StringComparison.Ordinal);
            _byFirstChar = patterns.GroupBy(pattern => pattern[0])
                .ToDictionary(group => group.Key, group => group.OrderByDescending(pattern => pattern.Length).ToArray());
        }

        public int Count { get; }

        public string Mask(string text)
        {
            var span = text.AsSpan();
            var found = span.IndexOfAny(_search);
            if (found < 0)
            {
                return text;
            }

            var result = new StringBuilder(text.Length);
            var copied = 0;
            var maskStart = found;
            var maskEnd = found + LongestAt(span, found);
            while (true)
            {
                // Next match starting inside or after the current one: overlapping secrets merge into one mask.
                var next = span[(found + 1)..].IndexOfAny(_search);
                if (next < 0)
                {
                    break;
                }

                found += 1 + next;
                var end = found + LongestAt(span, found);
                if (found <= maskEnd)
                {
                    maskEnd = Math.Max(maskEnd, end);
                    continue;
                }

                result.Append(span[copied..maskStart]).Append(Replacement);
                copied = maskEnd;
                (maskStart, maskEnd) = (found, end);
            }

            result.Append(span[copied..maskStart]).Append(Replacement).Append(span[maskEnd..]);
            return result.ToString();
        }

        private int LongestAt(ReadOnlySpan<char> text, int index)
        {
            foreach (var pattern in _byFirstChar[text[index]])
            {
                if (text[index..].StartsWith(pattern, StringComparison.Ordinal))
                {
                    return pattern.Length;
                }
            }

            throw new InvalidOperationException("the matcher found a pattern that none of its patterns starts"); // unreachable
        }
    }
}
