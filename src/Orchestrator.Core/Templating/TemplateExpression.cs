using System.Text.RegularExpressions;

namespace Orchestrator.Core.Templating;

/// <summary>What a <c>{{ … }}</c> refers to.</summary>
public enum TemplateRoot
{
    /// <summary><c>{{ params.NAME }}</c></summary>
    Params,
    /// <summary><c>{{ outputs.TASK_ID }}</c> or <c>{{ outputs.TASK_ID.field.sub }}</c></summary>
    Outputs,
    /// <summary><c>{{ run.id }}</c>, <c>{{ run.logicalDate }}</c>, <c>{{ run.dagId }}</c>, <c>{{ run.dataIntervalStart }}</c>, <c>{{ run.dataIntervalEnd }}</c></summary>
    Run,
    /// <summary><c>{{ task.id }}</c>, <c>{{ task.tryNumber }}</c></summary>
    Task,
    /// <summary><c>{{ var.NAME }}</c>: a Variable.</summary>
    Var,
    /// <summary><c>{{ conn.NAME.FIELD }}</c> or <c>{{ conn.NAME.extra.KEY }}</c>: a field of a Connection.</summary>
    Conn,
}

/// <summary>One parsed <c>{{ root.name.path | filter }}</c> in a string: where it sits, what it names, and whether
/// the author asked for raw insertion (<c>| raw</c>, meaningful in shell commands only).</summary>
public sealed record TemplateExpression(int Start, int Length, TemplateRoot Root, string Name, IReadOnlyList<string> Path, bool Raw = false)
{
    public static readonly IReadOnlyList<string> RunFields = ["id", "logicalDate", "dagId", "dataIntervalStart", "dataIntervalEnd"];
    public static readonly IReadOnlyList<string> TaskFields = ["id", "tryNumber"];
    public static readonly IReadOnlyList<string> ConnFields = ["type", "host", "port", "login", "password", "schema", "extra.KEY"];

    /// <summary>The filters a template may end with.</summary>
    public static readonly IReadOnlyList<string> Filters = ["raw"];

    public override string ToString() =>
        $"{{{{ {RootName(Root)}.{Name}{string.Concat(Path.Select(p => "." + p))}{(Raw ? " | raw" : "")} }}}}";

    internal static string RootName(TemplateRoot root) => root.ToString().ToLowerInvariant();
}

/// <summary>Finds the templates in a string and explains malformed ones.</summary>
public static partial class TemplateParser
{
    private const string Forms = "{{ params.NAME }}, {{ outputs.TASK_ID }}, {{ run.FIELD }}, {{ task.FIELD }}, {{ var.NAME }} or {{ conn.NAME.FIELD }}";

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
            if (ParseOne(match.Value, match.Groups["body"].Value, errors) is { } parsed)
            {
                found.Add(parsed with { Start = match.Index, Length = match.Length });
            }
        }

        var unclosed = text.Replace("{{", "\u0001", StringComparison.Ordinal).Count(c => c == '\u0001') - Placeholder().Count(text);
        if (unclosed > 0)
        {
            errors.Add($"'{{{{' without a matching '}}}}' in \"{text}\"");
        }

        return found;
    }

    private static TemplateExpression? ParseOne(string template, string body, List<string> errors)
    {
        var pipes = body.Split('|');
        var filters = pipes[1..].Select(f => f.Trim()).ToList();
        foreach (var filter in filters.Where(f => !TemplateExpression.Filters.Contains(f)))
        {
            errors.Add(filter.Length == 0
                ? $"template '{template}' has an empty filter after '|'; known filters: {string.Join(", ", TemplateExpression.Filters)}"
                : $"template '{template}' uses unknown filter '{filter}'; known filters: {string.Join(", ", TemplateExpression.Filters)}");
            return null;
        }

        var parts = pipes[0].Trim().Split('.');
        if (parts.Length < 2 || parts.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"template '{template}' must read {Forms}");
            return null;
        }

        TemplateRoot? root = parts[0] switch
        {
            "params" => TemplateRoot.Params,
            "outputs" => TemplateRoot.Outputs,
            "run" => TemplateRoot.Run,
            "task" => TemplateRoot.Task,
            "var" => TemplateRoot.Var,
            "conn" => TemplateRoot.Conn,
            _ => null,
        };
        if (root is null)
        {
            errors.Add($"template '{template}' refers to unknown '{parts[0]}'; expected params, outputs, run, task, var or conn");
            return null;
        }

        var fields = root switch
        {
            TemplateRoot.Run => TemplateExpression.RunFields,
            TemplateRoot.Task => TemplateExpression.TaskFields,
            _ => null,
        };
        if (fields is not null && (parts.Length != 2 || !fields.Contains(parts[1])))
        {
            errors.Add($"template '{template}': {parts[0]} has the fields {string.Join(", ", fields)}");
            return null;
        }

        if (root == TemplateRoot.Var && parts.Length != 2)
        {
            errors.Add($"template '{template}' must read {{{{ var.NAME }}}}");
            return null;
        }

        if (root == TemplateRoot.Conn && !IsConnField(parts[2..]))
        {
            errors.Add($"template '{template}' must read {{{{ conn.NAME.FIELD }}}} with FIELD one of {string.Join(", ", TemplateExpression.ConnFields)}");
            return null;
        }

        var raw = filters.Contains("raw");
        if (raw && root is not (TemplateRoot.Params or TemplateRoot.Run or TemplateRoot.Task))
        {
            // Outputs are written by tasks, variables and connections by operators at run time: never trusted syntax,
            // and a secret inserted as text would also show in the process list.
            errors.Add($"template '{template}': '| raw' takes only a DAG's own params and run or task fields (trusted values fixed when the DAG is written); {parts[0]} values are data: refer to them without '| raw'");
            return null;
        }

        return new TemplateExpression(0, 0, root.Value, parts[1], parts[2..], Raw: raw);
    }

    private static bool IsConnField(string[] path) => path switch
    {
        ["type" or "host" or "port" or "login" or "password" or "schema"] => true,
        ["extra", _] => true,
        _ => false,
    };

    [GeneratedRegex(@"\{\{(?<body>[^{}]*)\}\}")]
    private static partial Regex Placeholder();
}
