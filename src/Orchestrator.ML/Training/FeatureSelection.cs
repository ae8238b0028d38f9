using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>Resolves <c>features</c>, <c>categorical</c> and <c>ignore</c> against the dataset's schema into the
/// model's inputs. Every name must exist, so a typo is an error rather than a silently different model.</summary>
internal static class FeatureSelection
{
    public static IReadOnlyList<DatasetColumn> Resolve(TrainRequest request)
    {
        var schema = request.Dataset.Schema;
        var path = request.Dataset.Path;
        if (string.IsNullOrEmpty(request.Label))
        {
            throw new ArgumentException("label is required: the column to predict.");
        }

        var label = schema.Find(request.Label)
            ?? throw new ArgumentException($"label '{request.Label}' is not a column of '{path}'; its columns are {CsvDataLoader.Describe(schema)}.");
        if (request.Task == MlTask.Regression && label.Kind == ColumnKind.Categorical && request.Categorical?.Contains(label.Name) != true)
        {
            throw new ArgumentException($"label '{label.Name}' of '{path}' holds text; regression needs a numeric label (or use task binary/multiclass).");
        }

        RequireColumns("features", request.Features, schema, path);
        RequireColumns("categorical", request.Categorical, schema, path);
        RequireColumns("ignore", request.Ignore, schema, path);
        if (request.Features?.Contains(request.Label) == true)
        {
            throw new ArgumentException($"features lists the label '{request.Label}'; a model cannot take what it predicts.");
        }

        var duplicate = request.Features?.GroupBy(name => name).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"features lists '{duplicate.Key}' twice.");
        }

        var ignored = request.Ignore?.ToHashSet() ?? [];
        var names = (request.Features ?? schema.Columns.Select(column => column.Name))
            .Where(name => name != request.Label && !ignored.Contains(name))
            .ToList();
        var categorical = request.Categorical?.ToHashSet() ?? [];
        var stray = categorical.FirstOrDefault(name => !names.Contains(name));
        if (stray is not null)
        {
            throw new ArgumentException($"categorical lists '{stray}', which is not a feature of this model.");
        }

        if (names.Count == 0)
        {
            throw new ArgumentException($"No feature columns left in '{path}' once the label and ignore are taken out.");
        }

        return [.. names.Select(name => new DatasetColumn(name, categorical.Contains(name) ? ColumnKind.Categorical : schema.Find(name)!.Kind))];
    }

    private static void RequireColumns(string arg, IReadOnlyList<string>? names, DatasetSchema schema, string path)
    {
        var unknown = names?.Where(name => schema.IndexOf(name) < 0).ToList();
        if (unknown is { Count: > 0 })
        {
            throw new ArgumentException(
                $"{arg} names {string.Join(", ", unknown.Select(name => $"'{name}'"))}, not a column of '{path}'; its columns are {CsvDataLoader.Describe(schema)}.");
        }
    }
}
