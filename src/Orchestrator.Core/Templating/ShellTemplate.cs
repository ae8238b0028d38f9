using System.Text;

namespace Orchestrator.Core.Templating;

/// <summary>A shell command with its templates rendered safely: each value travels in its own environment
/// variable and the command only refers to it, so no value is ever part of the command's text.</summary>
public sealed record RenderedShellCommand(string Command, IReadOnlyDictionary<string, string> Environment);

/// <summary>Renders the templates of a <c>shell</c> task's command so that values can never change the command's
/// structure: <c>{{ params.x }}</c> becomes a reference to <c>ORCHESTRATOR_TEMPLATE_1</c>, written for the quoting
/// context the template sits in (see <see cref="ShellContext"/>). Bash never parses the result of a variable
/// expansion as syntax, so quotes, <c>$(…)</c>, backticks or <c>;</c> in a value stay text.
/// <c>{{ x | raw }}</c> inserts the text itself: the author's explicit, documented opt-in.</summary>
public static class ShellTemplate
{
    /// <summary>The prefix of the variables that carry template values.</summary>
    public const string VariablePrefix = "ORCHESTRATOR_TEMPLATE_";

    /// <summary>Linux refuses to start a process with one environment string ("NAME=value") over 128 KiB.</summary>
    public const int MaxVariableBytes = 128 * 1024;

    /// <summary>Load-time check: every template of <paramref name="command"/> sits where a reference can be safe.
    /// Template syntax errors are not repeated here (the template parser reports them).</summary>
    public static void Check(string command, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(errors);
        var expressions = TemplateParser.Parse(command, []);
        if (expressions.Count > 0)
        {
            errors.AddRange(Problems(command, expressions, out _));
        }
    }

    /// <summary>Renders <paramref name="command"/> in <paramref name="scope"/>. Throws
    /// <see cref="TemplateException"/> for a missing value or a template in a place that cannot be made safe.</summary>
    public static RenderedShellCommand Render(string command, TemplateScope scope)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(scope);
        var errors = new List<string>();
        var expressions = TemplateParser.Parse(command, errors);
        if (errors.Count > 0)
        {
            throw new TemplateException(errors[0]);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (expressions.Count == 0)
        {
            return new RenderedShellCommand(command, environment);
        }

        var problems = Problems(command, expressions, out var contexts);
        if (problems.Count > 0)
        {
            throw new TemplateException(problems[0]);
        }

        var result = new StringBuilder(command.Length + (expressions.Count * 32));
        var position = 0;
        for (var i = 0; i < expressions.Count; i++)
        {
            var expression = expressions[i];
            result.Append(command, position, expression.Start - position);
            position = expression.Start + expression.Length;
            var value = TemplateRenderer.ValueOf(expression, scope);
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new TemplateException($"{expression}: the value contains a NUL character, which no shell command can receive");
            }

            if (expression.Raw)
            {
                EnsureTrusted(expression, scope);
                result.Append(value);
                continue;
            }

            var name = VariablePrefix + (environment.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var bytes = Encoding.UTF8.GetByteCount(value) + name.Length + 2;
            if (bytes > MaxVariableBytes)
            {
                throw new TemplateException(
                    $"{expression}: the value is {bytes} bytes, more than the {MaxVariableBytes / 1024} KiB a process's environment variable may hold; write it to a file and pass the file's path");
            }

            environment[name] = value;
            result.Append(Reference(contexts[i]!.Value, name));
        }

        result.Append(command, position, command.Length - position);
        return new RenderedShellCommand(result.ToString(), environment);
    }

    /// <summary>A raw param must be the DAG's own value: conf comes from whoever triggers the run.</summary>
    private static void EnsureTrusted(TemplateExpression expression, TemplateScope scope)
    {
        if (expression.Root == TemplateRoot.Params && scope.DagParams is { } own
            && !(own.TryGetValue(expression.Name, out var written) && scope.Params.TryGetValue(expression.Name, out var used)
                 && System.Text.Json.JsonElement.DeepEquals(written, used)))
        {
            throw new TemplateException(
                $"{expression}: this run's conf sets '{expression.Name}', but a '| raw' template takes only the value written in the DAG (a trusted constant); drop '| raw' to pass the conf's value as data");
        }
    }

    /// <summary>How the command refers to variable <paramref name="name"/> in <paramref name="context"/>.</summary>
    public static string Reference(ShellContext context, string name) => context switch
    {
        // A comment gets the quoted form too: bash ignores it either way, and should the line not be a comment after
        // all (a backslash at the end of a comment does not continue it), the value is still one quoted word.
        ShellContext.Unquoted or ShellContext.Comment => $"\"${{{name}}}\"",
        ShellContext.DoubleQuoted or ShellContext.HereDocument => $"${{{name}}}",
        ShellContext.SingleQuoted => $"'\"${{{name}}}\"'",
        ShellContext.AnsiCQuoted => $"'\"${{{name}}}\"$'",
        _ => throw new ArgumentOutOfRangeException(nameof(context), context, null),
    };

    private static List<string> Problems(string command, IReadOnlyList<TemplateExpression> expressions, out IReadOnlyList<ShellContext?> contexts)
    {
        var analysis = ShellQuoting.Analyze(command, [.. expressions.Select(e => (e.Start, e.Length))]);
        contexts = analysis.Contexts;
        var problems = new List<string>();
        if (analysis.CommandProblems.Count > 0 && expressions.Any(e => !e.Raw))
        {
            problems.Add($"the shell command {analysis.CommandProblems[0]}, so where its templates sit cannot be told");
        }

        for (var i = 0; i < expressions.Count; i++)
        {
            // A raw template is inserted as text wherever it is: that is what the author asked for.
            if (!expressions[i].Raw && analysis.Problems[i] is { } problem)
            {
                problems.Add($"template '{expressions[i]}' at character {expressions[i].Start + 1} of the shell command {problem}");
            }
            else if (!expressions[i].Raw && analysis.Contexts[i] is null)
            {
                problems.Add($"template '{expressions[i]}' at character {expressions[i].Start + 1} of the shell command is in a place whose quoting cannot be told; pass the value in args.env");
            }
        }

        return problems;
    }
}
