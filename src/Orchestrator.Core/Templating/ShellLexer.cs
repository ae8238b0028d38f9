namespace Orchestrator.Core.Templating;

/// <summary>The scanner behind <see cref="ShellQuoting"/>. Input is the command's characters with each template
/// replaced by one negative token, so a template is one opaque "word character". Each method scans one bash
/// construct from a position and returns the position after it. Backtick bodies and here-document bodies are
/// scanned by a child lexer over their own (unescaped) text, as bash itself does.</summary>
internal sealed class ShellLexer
{
    private const int End = int.MinValue;

    private const string AfterBackslash =
        "follows a backslash, which would escape the start of the value; remove the backslash";
    private const string AfterDollar =
        "follows '$'; remove the '$' (the template stands for the whole value)";
    private const string InBraces =
        "is inside ${…}, where bash reads text as a name, a pattern or a number; pass the value in args.env and write ${NAME…}";
    private const string InArithmetic =
        "is inside an arithmetic expression ($((…)), ((…)) or $[…]), which bash evaluates as code; pass the value in args.env and check it is a number";
    private const string InBrackets =
        "is inside [...], an array subscript (arr[…]=, ([…]=…)) that bash evaluates as arithmetic, or a glob bracket; pass the value in args.env";
    private const string InQuotedHereDocument =
        "is inside a quoted here-document (<<'EOF'), where nothing is expanded; use an unquoted delimiter (<<EOF) or pass the value in args.env";
    private const string InHereDocumentDelimiter =
        "is part of a here-document delimiter; write the delimiter as plain text";

    private readonly int[] _t;
    private readonly Shared _shared;
    private readonly List<(string Delimiter, bool Quoted, bool StripTabs)> _pendingHereDocuments = [];

    /// <summary>Set inside ${…} and arithmetic: every template met is rejected with this reason. A nested
    /// command substitution starts a fresh command, so it clears this.</summary>
    private string? _forbidden;

    public ShellLexer(int[] tokens, Shared shared)
    {
        _t = tokens;
        _shared = shared;
    }

    /// <summary>What all lexers of one command fill in.</summary>
    internal sealed class Shared(int count)
    {
        public ShellContext?[] Contexts { get; } = new ShellContext?[count];

        public string?[] Problems { get; } = new string?[count];

        public List<string> CommandProblems { get; } = [];
    }

    public static int TemplateToken(int index) => -1 - index;

    private static bool IsTemplate(int token) => token < 0 && token != End;

    public void Run() => Command(0, nested: false);

    private int At(int i) => i < _t.Length ? _t[i] : End;

    private void Mark(int token, ShellContext context)
    {
        if (_forbidden is not null)
        {
            Reject(token, _forbidden);
            return;
        }

        _shared.Contexts[-1 - token] = context;
    }

    private void Reject(int token, string reason) => _shared.Problems[-1 - token] ??= reason;

    private void Unterminated(string what) => _shared.CommandProblems.Add($"it has an unterminated {what}");

    /// <summary>Skips a backslash and what it escapes; a template right after it is rejected.</summary>
    private int Escape(int i)
    {
        if (IsTemplate(At(i + 1)))
        {
            Reject(At(i + 1), AfterBackslash);
        }

        return i + 2;
    }

    private static bool IsBreak(int c) => c is End or ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>';

    private bool IsWord(int i, string word)
    {
        for (var k = 0; k < word.Length; k++)
        {
            if (At(i + k) != word[k])
            {
                return false;
            }
        }

        return IsBreak(At(i + word.Length));
    }

    /// <summary>Commands: the whole text, or the inside of <c>$(…)</c> when <paramref name="nested"/> (ends at
    /// its ')'). Parentheses are counted, and a ')' that ends a case pattern does not close.</summary>
    private int Command(int i, bool nested)
    {
        var saved = _forbidden;
        // A substitution inside ${…} gives a value; inside arithmetic or [...] its output is evaluated as arithmetic,
        // where a[$(cmd)] runs cmd: templates in it stay refused.
        _forbidden = saved is InArithmetic or InBrackets ? saved : null;
        var pendingOutside = _pendingHereDocuments.Count; // here-documents opened before this $(…) began
        var depth = 0;
        var caseDepth = 0;
        var wordStart = true;
        while (true)
        {
            var c = At(i);
            if (c == End)
            {
                if (nested)
                {
                    Unterminated("$(");
                }

                _forbidden = saved;
                return i;
            }

            if (IsTemplate(c))
            {
                Mark(c, ShellContext.Unquoted);
                i++;
                wordStart = false;
                continue;
            }

            switch (c)
            {
                case '\\':
                    i = Escape(i);
                    wordStart = false;
                    break;
                case '\'':
                    i = Quoted(i + 1, ShellContext.SingleQuoted);
                    wordStart = false;
                    break;
                case '"':
                    i = Expanding(i + 1, hereDocument: false);
                    wordStart = false;
                    break;
                case '`':
                    i = Backtick(i + 1, inDoubleQuotes: false);
                    wordStart = false;
                    break;
                case '$':
                    i = Dollar(i, inDoubleQuotes: false);
                    wordStart = false;
                    break;
                case '#' when wordStart:
                    i = Comment(i);
                    break;
                case '(' when wordStart && At(i + 1) == '(':
                    i = Arithmetic(i + 2, ')');
                    wordStart = false;
                    break;
                case '[' when wordStart && IsWord(i, "[["):
                    i += 2; // the [[ keyword, not a bracket expression
                    break;
                case '[' when !(wordStart && IsWord(i, "[")):
                    i = Arithmetic(i + 1, ']', InBrackets);
                    wordStart = false;
                    break;
                case '(':
                    depth++;
                    i++;
                    wordStart = true;
                    break;
                case ')':
                    i++;
                    wordStart = true;
                    if (depth > 0)
                    {
                        depth--;
                    }
                    else if (caseDepth == 0 && nested)
                    {
                        _forbidden = saved;
                        return i;
                    }

                    break;
                case '<' or '>' when At(i + 1) == '(':
                    i = Command(i + 2, nested: true); // process substitution: a command of its own, like $(…)
                    wordStart = false;
                    break;
                case '<' when At(i + 1) == '<' && At(i + 2) == '<':
                    i += 3;
                    wordStart = true;
                    break;
                case '<' when At(i + 1) == '<':
                    i = HereDocumentOperator(i + 2);
                    wordStart = false;
                    break;
                case '\n' when nested && pendingOutside > 0:
                    // bash and this lexer disagree on where such a here-document's body is: refuse rather than guess
                    _shared.CommandProblems.Add("opens a here-document on a line whose $(…) or <(…) continues on the next line");
                    i++;
                    wordStart = true;
                    break;
                case '\n':
                    i = _pendingHereDocuments.Count > 0 ? HereDocumentBodies(i + 1) : i + 1;
                    wordStart = true;
                    break;
                case ' ' or '\t' or ';' or '&' or '|' or '<' or '>':
                    i++;
                    wordStart = true;
                    break;
                default:
                    if (wordStart && IsWord(i, "case"))
                    {
                        caseDepth++;
                    }
                    else if (wordStart && caseDepth > 0 && IsWord(i, "esac"))
                    {
                        caseDepth--;
                    }

                    i++;
                    wordStart = false;
                    break;
            }
        }
    }

    /// <summary>'…' (nothing special but the closing quote) or $'…' (backslash escapes, \' included).</summary>
    private int Quoted(int i, ShellContext context)
    {
        while (true)
        {
            var c = At(i);
            if (c == End)
            {
                Unterminated(context == ShellContext.SingleQuoted ? "single quote (')" : "$'…' quote");
                return i;
            }

            if (IsTemplate(c))
            {
                Mark(c, context);
                i++;
            }
            else if (c == '\'')
            {
                return i + 1;
            }
            else if (c == '\\' && context == ShellContext.AnsiCQuoted)
            {
                i = Escape(i);
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>"…" up to its closing quote, or a here-document body (to the end of this lexer's text):
    /// $, ` and \ are special, quotes are not (but for the closing " of "…").</summary>
    private int Expanding(int i, bool hereDocument)
    {
        while (true)
        {
            var c = At(i);
            if (c == End)
            {
                if (!hereDocument)
                {
                    Unterminated("double quote (\")");
                }

                return i;
            }

            if (IsTemplate(c))
            {
                Mark(c, hereDocument ? ShellContext.HereDocument : ShellContext.DoubleQuoted);
                i++;
                continue;
            }

            switch (c)
            {
                case '\\':
                    i = Escape(i);
                    break;
                case '"' when !hereDocument:
                    return i + 1;
                case '`':
                    i = Backtick(i + 1, inDoubleQuotes: !hereDocument);
                    break;
                case '$':
                    i = Dollar(i, inDoubleQuotes: true);
                    break;
                default:
                    i++;
                    break;
            }
        }
    }

    /// <summary>What a '$' at <paramref name="i"/> starts.</summary>
    private int Dollar(int i, bool inDoubleQuotes)
    {
        var next = At(i + 1);
        if (IsTemplate(next))
        {
            Reject(next, AfterDollar);
            return i + 2;
        }

        return next switch
        {
            '(' when At(i + 2) == '(' => Arithmetic(i + 3, ')'),
            '(' => Command(i + 2, nested: true),
            '{' => Braced(i + 2, inDoubleQuotes),
            '[' => Arithmetic(i + 2, ']'),
            '\'' when !inDoubleQuotes => Quoted(i + 2, ShellContext.AnsiCQuoted),
            '"' when !inDoubleQuotes => Expanding(i + 2, hereDocument: false),
            _ => i + 1,
        };
    }

    /// <summary>The inside of ${…}: no template may sit here (not even in nested quotes), but command
    /// substitutions inside are ordinary commands.</summary>
    private int Braced(int i, bool inDoubleQuotes)
    {
        var saved = _forbidden;
        _forbidden = InBraces;
        var depth = 0;
        while (true)
        {
            var c = At(i);
            if (c == End)
            {
                Unterminated("${");
                break;
            }

            if (IsTemplate(c))
            {
                Mark(c, ShellContext.Unquoted);
                i++;
                continue;
            }

            if (c == '}' && depth == 0)
            {
                i++;
                break;
            }

            i = c switch
            {
                '\\' => Escape(i),
                '{' => Count(ref depth, +1, i),
                '}' => Count(ref depth, -1, i),
                '\'' when !inDoubleQuotes => Quoted(i + 1, ShellContext.SingleQuoted),
                '"' => Expanding(i + 1, hereDocument: false),
                '`' => Backtick(i + 1, inDoubleQuotes),
                '$' => Dollar(i, inDoubleQuotes),
                _ => i + 1,
            };
        }

        _forbidden = saved;
        return i;
    }

    /// <summary>$((…)), ((…)) (closer ')', both parentheses) or $[…] (closer ']'); also an unquoted [...] (a
    /// subscript or a glob bracket, <paramref name="reason"/> <see cref="InBrackets"/>), which may end at a newline.</summary>
    private int Arithmetic(int i, char closer, string reason = InArithmetic)
    {
        var saved = _forbidden;
        _forbidden = reason;
        var brackets = reason == InBrackets;
        var depth = 0;
        while (true)
        {
            var c = At(i);
            if (c == End || (brackets && c == '\n'))
            {
                if (!brackets)
                {
                    Unterminated(closer == ')' ? "$((" : "$[");
                }

                break;
            }

            if (IsTemplate(c))
            {
                Mark(c, ShellContext.Unquoted);
                i++;
                continue;
            }

            if (depth == 0 && closer == ')' && c == ')' && At(i + 1) == ')')
            {
                i += 2;
                break;
            }

            if (depth == 0 && closer == ']' && c == ']')
            {
                i++;
                break;
            }

            i = c switch
            {
                '\\' => Escape(i),
                '(' => Count(ref depth, +1, i),
                ')' => Count(ref depth, -1, i),
                '\'' => Quoted(i + 1, ShellContext.SingleQuoted),
                '"' => Expanding(i + 1, hereDocument: false),
                '`' => Backtick(i + 1, inDoubleQuotes: false),
                '$' => Dollar(i, inDoubleQuotes: false),
                _ => i + 1,
            };
        }

        _forbidden = saved;
        return i;
    }

    private static int Count(ref int depth, int change, int i)
    {
        depth = Math.Max(0, depth + change);
        return i + 1;
    }

    /// <summary>`…`: bash removes the backslash of \$, \`, \\ (and \" inside "…") and runs the rest as a
    /// command; so does this, handing the unescaped text to a child lexer.</summary>
    private int Backtick(int i, bool inDoubleQuotes)
    {
        var inner = new List<int>();
        while (true)
        {
            var c = At(i);
            if (c == End)
            {
                Unterminated("backtick (`)");
                break;
            }

            i++;
            if (c == '`')
            {
                break;
            }

            var next = At(i);
            if (c == '\\' && (next is '$' or '`' or '\\' || (inDoubleQuotes && next == '"')))
            {
                inner.Add(next);
                i++;
            }
            else
            {
                inner.Add(c);
            }
        }

        var child = new ShellLexer([.. inner], _shared) { _forbidden = _forbidden is InArithmetic or InBrackets ? _forbidden : null };
        child.Command(0, nested: false);
        return i;
    }

    private int Comment(int i)
    {
        for (; At(i) != '\n' && At(i) != End; i++)
        {
            if (IsTemplate(At(i)))
            {
                Mark(At(i), ShellContext.Comment);
            }
        }

        return i;
    }

    /// <summary>After &lt;&lt; or &lt;&lt;-: reads the delimiter word; the body starts after the current line.</summary>
    private int HereDocumentOperator(int i)
    {
        var stripTabs = At(i) == '-';
        if (stripTabs)
        {
            i++;
        }

        while (At(i) is ' ' or '\t')
        {
            i++;
        }

        var delimiter = new System.Text.StringBuilder();
        var quoted = false;
        while (!IsBreak(At(i)))
        {
            var c = At(i);
            if (IsTemplate(c))
            {
                Reject(c, InHereDocumentDelimiter);
                i++;
            }
            else if (c is '\'' or '"')
            {
                quoted = true;
                for (i++; At(i) != c && At(i) != End; i++)
                {
                    if (IsTemplate(At(i)))
                    {
                        Reject(At(i), InHereDocumentDelimiter);
                    }
                    else
                    {
                        delimiter.Append((char)At(i));
                    }
                }

                i++;
            }
            else if (c == '\\')
            {
                quoted = true;
                if (IsTemplate(At(i + 1)))
                {
                    Reject(At(i + 1), InHereDocumentDelimiter);
                }
                else if (At(i + 1) != End)
                {
                    delimiter.Append((char)At(i + 1));
                }

                i += 2;
            }
            else if (c == '$' && At(i + 1) == '(')
            {
                // bash takes the whole word, $(…) included, as the delimiter: too unusual to follow safely
                _shared.CommandProblems.Add("has a here-document delimiter containing $(…)");
                i = Command(i + 2, nested: true);
            }
            else
            {
                delimiter.Append((char)c);
                i++;
            }
        }

        _pendingHereDocuments.Add((delimiter.ToString(), quoted, stripTabs));
        return i;
    }

    /// <summary>Reads the bodies of the here-documents opened on the line that just ended, in order.</summary>
    private int HereDocumentBodies(int i)
    {
        foreach (var (delimiter, quoted, stripTabs) in _pendingHereDocuments)
        {
            var bodyStart = i;
            var bodyEnd = i;
            while (At(i) != End)
            {
                var lineStart = i;
                var lineEnd = i;
                while (At(lineEnd) != '\n' && At(lineEnd) != End)
                {
                    lineEnd++;
                }

                var textStart = lineStart;
                while (stripTabs && textStart < lineEnd && At(textStart) == '\t')
                {
                    textStart++;
                }

                i = At(lineEnd) == End ? lineEnd : lineEnd + 1;
                if (IsLine(textStart, lineEnd, delimiter))
                {
                    bodyEnd = lineStart;
                    break;
                }

                bodyEnd = i;
            }

            if (quoted)
            {
                for (var k = bodyStart; k < bodyEnd; k++)
                {
                    if (IsTemplate(At(k)))
                    {
                        Reject(At(k), _forbidden ?? InQuotedHereDocument);
                    }
                }
            }
            else
            {
                new ShellLexer(_t[bodyStart..bodyEnd], _shared).Expanding(0, hereDocument: true);
            }
        }

        _pendingHereDocuments.Clear();
        return i;
    }

    private bool IsLine(int start, int end, string text)
    {
        if (end - start != text.Length)
        {
            return false;
        }

        for (var k = 0; k < text.Length; k++)
        {
            if (At(start + k) != text[k])
            {
                return false;
            }
        }

        return true;
    }
}
