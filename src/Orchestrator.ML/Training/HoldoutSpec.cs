namespace Orchestrator.ML.Training;

/// <summary>How to re-create exactly the rows training held out: the same file read the same way, split with ML.NET's
/// seeded TrainTestSplit (a per-row random number drawn in file order from <c>Seed</c>; rows below
/// <c>Fraction</c> are the holdout). The split happens before any row is dropped, so every model sees the
/// same holdout rows whatever columns it reads.</summary>
public sealed record HoldoutSpec(DatasetSource Dataset, double Fraction, int Seed);
