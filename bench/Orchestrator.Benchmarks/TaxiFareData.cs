using Orchestrator.ML.Data;

namespace Orchestrator.Benchmarks;

/// <summary>The taxi-fare sample the ML benchmarks train on: its file and its columns as ml.ingest infers them.</summary>
internal static class TaxiFareData
{
    public static string TrainPath => Path.Combine("dags", "data", "taxi-fare", "taxi-fare-train.csv");

    public static readonly DatasetSchema Schema = new(
    [
        new("vendor_id", ColumnKind.Categorical),
        new("rate_code", ColumnKind.Numeric),
        new("passenger_count", ColumnKind.Numeric),
        new("trip_time_in_secs", ColumnKind.Numeric),
        new("trip_distance", ColumnKind.Numeric),
        new("payment_type", ColumnKind.Categorical),
        new("fare_amount", ColumnKind.Numeric),
    ]);
}
