using Dapper;

namespace Orchestrator.Storage.Sql;

/// <summary>The values of an <c>IN (…)</c> as one named parameter each: Dapper's <c>IN @list</c> becomes an array
/// parameter on Npgsql, which PostgreSQL's IN refuses.</summary>
internal static class SqlInList
{
    /// <summary><paramref name="prefix"/> names the parameters (p0, p1, …), so that two lists can share a statement.</summary>
    public static (string List, DynamicParameters Parameters) Of<T>(IEnumerable<T> values, string prefix = "p")
    {
        var parameters = new DynamicParameters();
        var names = new List<string>();
        foreach (var value in values.Distinct())
        {
            var name = $"{prefix}{names.Count}";
            parameters.Add(name, value);
            names.Add("@" + name);
        }

        return (string.Join(", ", names), parameters);
    }
}
