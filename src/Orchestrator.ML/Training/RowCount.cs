using Microsoft.ML;

namespace Orchestrator.ML.Training;

/// <summary>Counts rows by streaming them with no column active (filters and splits have no row count).</summary>
internal static class RowCount
{
    public static long Of(IDataView data)
    {
        if (data.GetRowCount() is { } known)
        {
            return known;
        }

        long count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }
}
