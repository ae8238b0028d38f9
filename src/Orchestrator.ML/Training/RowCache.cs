using Microsoft.ML;

namespace Orchestrator.ML.Training;

/// <summary>Raw rows read into memory by one streamed pass over the CSV. The pass starts at once on a background
/// thread (ML.NET's cache with every column prefetched), so the training rows and the holdout rows parse side by side;
/// the label scan that follows reads the pass as it fills, and fitting and scoring read memory, not the file again.</summary>
/// <remarks>The cache lives in an environment of its own: every component made on the training context draws its
/// seed from the context's random stream, so one more there would re-seed the trainer (SDCA) and change the model.
/// Never count a cache with <see cref="RowCount"/> before this pass has started: a cursor with no column over an
/// unfilled cache starts a pass of its own, which means parsing the file once more.</remarks>
internal static class RowCache
{
    public static IDataView Start(IDataView raw) =>
        new MLContext(seed: 0).Data.Cache(raw, [.. raw.Schema.Where(column => !column.IsHidden).Select(column => column.Name)]);
}
