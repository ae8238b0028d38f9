namespace Orchestrator.Core.Templating;

/// <summary>What <see cref="ShellQuoting.Analyze"/> found: for each template (in order) its context, or why no
/// reference to a value can be safe there; plus problems of the command as a whole (an unterminated quote).</summary>
public sealed record ShellAnalysis(IReadOnlyList<ShellContext?> Contexts, IReadOnlyList<string?> Problems, IReadOnlyList<string> CommandProblems);

/// <summary>A pure lexer of bash's quoting contexts: given a command and the spans of its templates, tells for each
/// template whether it sits unquoted, in '…', "…", $'…', a here-document or a comment, following bash into
/// <c>$(…)</c>, backticks (with their own backslash rules), <c>${…}</c>, arithmetic and here-documents.
/// It does not run or fully parse bash: it only tracks what decides quoting.</summary>
public static class ShellQuoting
{
    public static ShellAnalysis Analyze(string command, IReadOnlyList<(int Start, int Length)> templates)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(templates);
        var tokens = new List<int>(command.Length);
        var position = 0;
        for (var i = 0; i < templates.Count; i++)
        {
            var (start, length) = templates[i];
            if (start < position || start + length > command.Length)
            {
                throw new ArgumentException("template spans must be in order, inside the command and not overlap", nameof(templates));
            }

            AddText(command, position, start, tokens);
            tokens.Add(ShellLexer.TemplateToken(i));
            position = start + length;
        }

        AddText(command, position, command.Length, tokens);

        var state = new ShellLexer.Shared(templates.Count);
        new ShellLexer([.. tokens], state).Run();
        return new ShellAnalysis(state.Contexts, state.Problems, state.CommandProblems);
    }

    /// <summary>Adds command text, dropping each line continuation (backslash-newline) as bash does before it reads
    /// the line: <c>(\⏎(</c> is <c>((</c> to bash, so it must be to the lexer. A backslash and the character it
    /// escapes are added together, so an escaped backslash before a newline stays what it is. (Inside single quotes
    /// bash keeps a backslash-newline, but dropping it there moves no quote boundary.)</summary>
    private static void AddText(string command, int from, int to, List<int> tokens)
    {
        for (var i = from; i < to; i++)
        {
            if (command[i] == '\\' && i + 1 < to)
            {
                if (command[i + 1] != '\n')
                {
                    tokens.Add(command[i]);
                    tokens.Add(command[i + 1]);
                }

                i++;
                continue;
            }

            tokens.Add(command[i]);
        }
    }
}
