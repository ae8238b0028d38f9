using System.Data;

namespace Orchestrator.Storage.Sql;

/// <summary>A multi-row <c>VALUES (…), (…)</c> list with one named parameter per cell (prefix + row index), for
/// statements that write or match many rows at once. <see cref="DbType"/> is given for cells that may be null.</summary>
internal static class SqlValueRows
{
    public static (string Rows, SqlParameters Parameters) Of<T>(IReadOnlyList<T> items, params (string Prefix, Func<T, object?> Value, DbType? Type)[] columns)
    {
        var parameters = new SqlParameters();
        var rows = string.Join(", ", items.Select((item, i) => "(" + string.Join(", ", columns.Select(column =>
        {
            var name = $"{column.Prefix}{i}";
            parameters.Add(name, column.Value(item), column.Type);
            return "@" + name;
        })) + ")"));
        return (rows, parameters);
    }
}
