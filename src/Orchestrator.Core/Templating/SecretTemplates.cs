using System.Globalization;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Core.Templating;

/// <summary>Renders <c>{{ var.NAME }}</c> and <c>{{ conn.NAME.FIELD }}</c> from a try's <see cref="ISecretValues"/>.
/// A missing variable, connection or extra key is an error naming it; a field the connection leaves unset
/// (no port, no password) renders as empty text, as Airflow's Connection attributes do.</summary>
internal static class SecretTemplates
{
    public static string Variable(TemplateExpression expression, ISecretValues secrets) =>
        secrets.GetVariable(expression.Name)
        ?? throw new TemplateException($"{expression}: no variable '{expression.Name}' (set it with 'variables set {expression.Name} VALUE')");

    public static string ConnectionField(TemplateExpression expression, ISecretValues secrets)
    {
        var connection = secrets.GetConnection(expression.Name)
            ?? throw new TemplateException($"{expression}: no connection '{expression.Name}' (add it with 'connections add {expression.Name} …')");
        return expression.Path switch
        {
            ["type"] => connection.Type,
            ["host"] => connection.Host ?? "",
            ["port"] => connection.Port?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["login"] => connection.Login ?? "",
            ["password"] => connection.Password ?? "",
            ["schema"] => connection.Schema ?? "",
            ["extra", var key] => connection.Extra is not null && connection.Extra.TryGetValue(key, out var value)
                ? value
                : throw new TemplateException(
                    $"{expression}: connection '{expression.Name}' has no extra '{key}'; its extras: {Known(connection.Extra?.Keys)}"),
            _ => throw new TemplateException($"{expression}: unknown connection field"),
        };
    }

    private static string Known(IEnumerable<string>? names)
    {
        var list = names is null ? "" : string.Join(", ", names.Order(StringComparer.Ordinal));
        return list.Length == 0 ? "(none)" : list;
    }
}
