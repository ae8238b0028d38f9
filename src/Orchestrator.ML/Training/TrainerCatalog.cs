using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>The trainers <c>ml.train</c> offers, by the names its <c>trainer</c> arg takes, and how each is built for
/// each task. Every recipe pins what would otherwise make a run irreproducible: the seed (where the trainer has one)
/// and one thread for the trainers whose parallel updates are order-dependent (SDCA, L-BFGS, LightGBM). A
/// hyperparameter may still override either.</summary>
public static class TrainerCatalog
{
    public const string Sdca = "sdca";
    public const string FastTree = "fastTree";
    public const string FastForest = "fastForest";
    public const string LightGbm = "lightGbm";
    public const string LogisticRegression = "logisticRegression";

    private sealed record Recipe(Type OptionsType, Func<MLContext, object, IEstimator<ITransformer>> Create, bool SingleThread);

    private static readonly Dictionary<(string, MlTask), Recipe> Recipes = new()
    {
        [(Sdca, MlTask.Regression)] = Make<SdcaRegressionTrainer.Options>((c, o) => c.Regression.Trainers.Sdca(o), singleThread: true),
        [(FastTree, MlTask.Regression)] = Make<FastTreeRegressionTrainer.Options>((c, o) => c.Regression.Trainers.FastTree(o)),
        [(FastForest, MlTask.Regression)] = Make<FastForestRegressionTrainer.Options>((c, o) => c.Regression.Trainers.FastForest(o)),
        [(LightGbm, MlTask.Regression)] = Make<LightGbmRegressionTrainer.Options>((c, o) => c.Regression.Trainers.LightGbm(o), singleThread: true),

        [(Sdca, MlTask.Binary)] = Make<SdcaLogisticRegressionBinaryTrainer.Options>((c, o) => c.BinaryClassification.Trainers.SdcaLogisticRegression(o), singleThread: true),
        [(FastTree, MlTask.Binary)] = Make<FastTreeBinaryTrainer.Options>((c, o) => c.BinaryClassification.Trainers.FastTree(o)),
        // A forest's score is not a probability: calibrate it so every binary model has Probability and log-loss.
        [(FastForest, MlTask.Binary)] = Make<FastForestBinaryTrainer.Options>((c, o) => c.BinaryClassification.Trainers.FastForest(o)
            .Append(c.BinaryClassification.Calibrators.Platt())),
        [(LightGbm, MlTask.Binary)] = Make<LightGbmBinaryTrainer.Options>((c, o) => c.BinaryClassification.Trainers.LightGbm(o), singleThread: true),
        [(LogisticRegression, MlTask.Binary)] = Make<LbfgsLogisticRegressionBinaryTrainer.Options>((c, o) => c.BinaryClassification.Trainers.LbfgsLogisticRegression(o), singleThread: true),

        [(Sdca, MlTask.Multiclass)] = Make<SdcaMaximumEntropyMulticlassTrainer.Options>((c, o) => c.MulticlassClassification.Trainers.SdcaMaximumEntropy(o), singleThread: true),
        // Tree ensembles are binary in ML.NET: one per class, scores calibrated to probabilities.
        [(FastTree, MlTask.Multiclass)] = Make<FastTreeBinaryTrainer.Options>((c, o) => c.MulticlassClassification.Trainers.OneVersusAll(c.BinaryClassification.Trainers.FastTree(o))),
        [(FastForest, MlTask.Multiclass)] = Make<FastForestBinaryTrainer.Options>((c, o) => c.MulticlassClassification.Trainers.OneVersusAll(c.BinaryClassification.Trainers.FastForest(o))),
        [(LightGbm, MlTask.Multiclass)] = Make<LightGbmMulticlassTrainer.Options>((c, o) => c.MulticlassClassification.Trainers.LightGbm(o), singleThread: true),
        [(LogisticRegression, MlTask.Multiclass)] = Make<LbfgsMaximumEntropyMulticlassTrainer.Options>((c, o) => c.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o), singleThread: true),
    };

    public static IReadOnlyList<string> Names { get; } = [Sdca, FastTree, FastForest, LightGbm, LogisticRegression];

    /// <summary>The trainer used when <c>trainer</c> is absent.</summary>
    public static string DefaultFor(MlTask task) => task == MlTask.Multiclass ? LightGbm : FastTree;

    /// <summary>Whether <paramref name="trainer"/> can train <paramref name="task"/>; throws a clear
    /// <see cref="ArgumentException"/> for an unknown trainer.</summary>
    public static bool Supports(string trainer, MlTask task) => Recipes.ContainsKey((Canonical(trainer), task));

    /// <summary>The hyperparameter names <paramref name="trainer"/> accepts for <paramref name="task"/>.</summary>
    public static IReadOnlyList<string> KnownHyperparameters(string trainer, MlTask task) =>
        HyperparameterBinder.KnownNames(Find(trainer, task).OptionsType);

    /// <summary>The trainer's name as the catalog spells it (matching ignores case).</summary>
    public static string Canonical(string trainer) =>
        Names.FirstOrDefault(name => string.Equals(name, trainer, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown trainer '{trainer}'; known: {string.Join(", ", Names)}.");

    /// <summary>Checks trainer, task and hyperparameters without touching data, so bad args fail before any work.</summary>
    public static void Validate(string trainer, MlTask task, IReadOnlyDictionary<string, object?>? hyperparameters) =>
        HyperparameterBinder.Apply(Activator.CreateInstance(Find(trainer, task).OptionsType)!, hyperparameters, Canonical(trainer));

    internal static IEstimator<ITransformer> Create(MLContext context, string trainer, MlTask task, IReadOnlyDictionary<string, object?>? hyperparameters, int seed)
    {
        var recipe = Find(trainer, task);
        var options = Activator.CreateInstance(recipe.OptionsType)!;
        Pin(options, "Seed", seed);
        if (recipe.SingleThread)
        {
            Pin(options, "NumberOfThreads", 1);
        }

        HyperparameterBinder.Apply(options, hyperparameters, Canonical(trainer));
        return recipe.Create(context, options);
    }

    private static Recipe Find(string trainer, MlTask task)
    {
        var name = Canonical(trainer);
        if (Recipes.TryGetValue((name, task), out var recipe))
        {
            return recipe;
        }

        var tasks = Recipes.Keys.Where(key => key.Item1 == name).Select(key => key.Item2.ToString().ToLowerInvariant());
        throw new ArgumentException(
            $"Trainer '{name}' does not apply to {task.ToString().ToLowerInvariant()}; it trains {string.Join(", ", tasks)}. " +
            $"Trainers for {task.ToString().ToLowerInvariant()}: {string.Join(", ", Names.Where(n => Recipes.ContainsKey((n, task))))}.");
    }

    private static void Pin(object options, string member, int value)
    {
        var type = options.GetType();
        if (type.GetField(member) is { } field && (field.FieldType == typeof(int) || field.FieldType == typeof(int?)))
        {
            field.SetValue(options, value);
        }
        else if (type.GetProperty(member) is { CanWrite: true } property && (property.PropertyType == typeof(int) || property.PropertyType == typeof(int?)))
        {
            property.SetValue(options, value);
        }
    }

    private static Recipe Make<TOptions>(Func<MLContext, TOptions, IEstimator<ITransformer>> create, bool singleThread = false)
        where TOptions : class, new() =>
        new(typeof(TOptions), (context, options) => create(context, (TOptions)options), singleThread);
}
