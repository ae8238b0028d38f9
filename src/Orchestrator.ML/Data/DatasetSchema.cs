namespace Orchestrator.ML.Data;

/// <summary>How a column's values are treated: numbers (normalised for training) or categories (one-hot encoded).</summary>
public enum ColumnKind
{
    Numeric,
    Categorical,
}

/// <summary>One column of a dataset, by its header name.</summary>
public sealed record DatasetColumn(string Name, ColumnKind Kind);

/// <summary>A dataset's columns in file order. A column is categorical when its values are not all numbers, unless a
/// schema or <c>categorical</c> arg says so.</summary>
public sealed record DatasetSchema(IReadOnlyList<DatasetColumn> Columns)
{
    public DatasetColumn? Find(string name) => Columns.FirstOrDefault(column => column.Name == name);

    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>How a CSV file is laid out. Quoting follows RFC 4180 (double quotes, doubled to escape).</summary>
public sealed record CsvFormat(char Separator = ',', bool HasHeader = true);
