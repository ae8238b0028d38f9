using Dapper;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Storage.Tests;

/// <summary>Migration 011 on rows written under 007: every row moves into a chunk (inputs and predictions as they
/// were), labelled rows keep their labels, and inference_log is gone.</summary>
public abstract partial class InferenceLogContractTests
{
    [Fact]
    public async Task Migration11_MovesTheRowsLoggedUnder007_WithTheirLabels()
    {
        // Back to the 007 schema: the tables 011 made go, inference_log comes back, and 011 is no longer recorded.
        var database = Database();
        var script007 = Script(database, "007_inference_log.sql");
        // 007's endpoint read the clock twice: the id was made 3 ms before the row's time.
        var served = V7(T0, 1);
        await RawAsync(async c => await c.ExecuteAsync($$"""
            DROP TABLE inference_chunks;
            DROP TABLE inference_labels;
            DELETE FROM schema_migrations WHERE version = 11;
            {{script007}}
            INSERT INTO inference_log (request_id, row_index, model, version, at, inputs, prediction, label, labeled_at) VALUES
                ('{{served}}', 0, 'taxi', 1, {{T0.ToUnixTimeMilliseconds() + 3}}, '{"trip_distance":3.8,"vendor_id":"CMT"}', '16.25', '17.5', {{T0.AddHours(1).ToUnixTimeMilliseconds()}}),
                ('{{served}}', 1, 'taxi', 1, {{T0.ToUnixTimeMilliseconds() + 3}}, '{"trip_distance":1.5,"vendor_id":null}', '8', NULL, NULL),
                ('legacy-1', 0, 'iris', 2, {{T0.AddMinutes(1).ToUnixTimeMilliseconds()}}, '{"petal":1.4}', '"setosa"', '"versicolor"', {{T0.AddHours(2).ToUnixTimeMilliseconds()}});
            """));

        await using (var migrated = await SqlMetadataStore.OpenAsync(database, TimeProvider.System, default))
        {
            var log = migrated.Inference;
            var taxi0 = new InferenceRecord(served, 0, "taxi", 1, T0.AddMilliseconds(3), """{"trip_distance":3.8,"vendor_id":"CMT"}""", "16.25");
            var taxi1 = new InferenceRecord(served, 1, "taxi", 1, T0.AddMilliseconds(3), """{"trip_distance":1.5,"vendor_id":null}""", "8");
            var iris = new InferenceRecord("legacy-1", 0, "iris", 2, T0.AddMinutes(1), """{"petal":1.4}""", "\"setosa\"");

            Assert.Contains(11, await migrated.AppliedMigrationsAsync(default));
            Assert.Equal([taxi0, taxi1], (await log.ReadAsync(Window(), default)).Select(Minified));
            Assert.Equal([iris], (await log.ReadAsync(Window("iris"), default)).Select(Minified));
            Assert.Equal([(taxi0, "17.5", T0.AddHours(1))], (await log.ReadLabeledAsync(Window(), default)).Select(l => (l.Inference, l.Label, l.LabeledAt)));
            Assert.Equal([(iris, "\"versicolor\"", T0.AddHours(2))], (await log.ReadLabeledAsync(Window("iris"), default)).Select(l => (l.Inference, l.Label, l.LabeledAt)));

            // A moved row is found by its UUIDv7 id although its id is 3 ms older than its time; a legacy id is not.
            Assert.Empty(await log.LabelAsync("taxi", [new InferenceLabel(served, 1, "9")], T0.AddHours(3), default));
            Assert.Equal(["17.5", "9"], (await log.ReadLabeledAsync(Window(), default)).Select(l => l.Label));
            Assert.Single(await log.LabelAsync("iris", [new InferenceLabel("legacy-1", 0, "\"setosa\"")], T0.AddHours(3), default));
        }

        await Assert.ThrowsAnyAsync<Exception>(() => RawAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inference_log")));
        Assert.Equal([("iris", 1L), ("taxi", 1L), ("taxi", 1L)], await ChunksAsync());
    }

    /// <summary>PostgreSQL's json_build_object spaces what it builds around the embedded values: the values
    /// themselves are kept as they were, so compare them as JSON without insignificant spaces.</summary>
    private static InferenceRecord Minified(InferenceRecord record) => record with
    {
        Inputs = System.Text.Json.Nodes.JsonNode.Parse(record.Inputs)!.ToJsonString(),
        Prediction = System.Text.Json.Nodes.JsonNode.Parse(record.Prediction)!.ToJsonString(),
    };

    private static string Script(SqlDatabase database, string name)
    {
        var assembly = database.MigrationAssembly;
        var resource = assembly.GetManifestResourceNames().Single(r => r.EndsWith(name, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }
}
