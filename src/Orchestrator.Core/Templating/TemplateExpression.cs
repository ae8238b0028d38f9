using System.Text.RegularExpressions;

namespace Orchestrator.Core.Templating;

/// <summary>What a <c>{{ … }}</c> refers to.</summary>
public enum TemplateRoot
{
    /// <summary><c>{{ params.NAME }}</c></summary>
    Params,
    /// <summary><c>{{ outputs.TASK_ID }}</c> or <c>{{ outputs.TASK_ID.field.sub }}</c></summary>
    Outputs,
    /// <summary><c>{{ run.id }}</c>, <c>{{ run.logicalDate }}</c>, <c>{{ run.dagId }}</c></summary>
    Run,
    /// <summary><c>{{ task.id }}</c>, <c>{{ task.tryNumber }}</c></summary>
    Task,
}

/// <summary>One parsed <c>{{ root.name.path }}</c> in a string: where it sits and what it names.</summary>
public sealed record TemplateExpression(int Start, int Length, TemplateRoot Root, string Name, IReadOnlyList<string> Path)
{
    public static readonly IReadOnlyList<string> RunFields = ["id", "logicalDate", "dagId"];
    public static readonly IReadOnlyList<string> TaskFields = ["id", "tryNumber"];

    public override string ToString() =>
        $"{{{{ {Root.ToString().ToLowerInvariant()}.{Name}{string.Concat(Path.Select(p => "." + p))} }}}}";
}

/// <summary>Finds the templates in a string and explains malformed ones.</summary>
public static partial class TemplateParser
{
    public static bool ContainsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Parses every <c>{{ … }}</c> in <paramref name="text"/>; problems go to <paramref name="errors"/>.</summary>
    public static IReadOnlyList<TemplateExpression> Parse(string text, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        var found = new List<TemplateExpression>();
        if (!ContainsTemplate(text))
        {
            return found;
        }

        foreach (Match match in Placeholder().Matches(text))
        {
            var body = match.Groups["body"].Value.Trim();
            var parts = body.Split('.');
            if (parts.Length < 2 || parts.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"template '{match.Value}' must read {{{{ params.NAME }}}}, {{{{ outputs.TASK_ID }}}}, {{{{ run.FIELD }}}} or {{{{ task.FIELD }}}}");
                continue;
            }

            TemplateRoot? root = parts[0] switch
            {
                "params" => TemplateRoot.Params,
                "outputs" => TemplateRoot.Outputs,
                "run" => TemplateRoot.Run,
                "task" => TemplateRoot.Task,
                _ => null,
            };
            if (root is null)
            {
                errors.Add($"template '{match.Value}' refers to unknown '{parts[0]}'; expected params, outputs, run or task");
                continue;
            }

            var fields = root switch
            {
                TemplateRoot.Run => TemplateExpression.RunFields,
                TemplateRoot.Task => TemplateExpression.TaskFields,
                _ => null,
            };
            if (fields is not null && (parts.Length != 2 || !fields.Contains(parts[1])))
            {
                errors.Add($"template '{match.Value}': {parts[0]} has the fields {string.Join(", ", fields)}");
                continue;
            }

            found.Add(new TemplateExpression(match.Index, match.Length, root.Value, parts[1], parts[2..]));
        }

        var unclosed = text.Replace("{{", "\u0001", StringComparison.Ordinal).Count(c => c == '\u0001') - Placeholder().Count(text);
        if (unclosed > 0)
        {
            errors.Add($"'{{{{' without a matching '}}}}' in \"{text}\"");
        }

        return found;
    }

    [GeneratedRegex(@"\{\{(?<body>[^{}]*)\}\}")]
    private static partial Regex Placeholder();
}
