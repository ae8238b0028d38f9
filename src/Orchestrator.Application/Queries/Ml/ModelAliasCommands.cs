using Orchestrator.Storage;
using Orchestrator.Storage.Ml;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>Deploys and rollbacks: pointing a model's alias at a version, as <c>models alias set</c> and
/// <c>PUT /api/v1/models/{name}/aliases/{alias}</c> both do. The admin role is checked by the caller.</summary>
public interface IModelAliasCommands
{
    /// <summary>Points the alias at the version and records the move with the actor as its mover. Invalid (naming
    /// <c>name</c>, <c>alias</c>, <c>version</c> or <c>reason</c>) or NotFound (no such model or version) change
    /// nothing; an alias already at the version records nothing and answers its current history entry.</summary>
    Task<AliasMoveResult> MoveAsync(string name, string alias, int version, string? reason, Actor actor, CancellationToken cancellationToken);
}

/// <summary>What an alias move must satisfy before the store is touched (a caller may check before opening it).</summary>
public static class AliasMoveRules
{
    public const int MaxReason = 1000;

    /// <summary>The refusal (Invalid, naming <c>name</c>, <c>alias</c>, <c>version</c> or <c>reason</c>), or null.</summary>
    public static ApplicationProblemException? Problem(string name, string alias, int version, string? reason)
    {
        if (MlNames.ModelNameProblem(name) is { } nameProblem)
        {
            return ApplicationProblemException.Invalid(nameProblem, "name");
        }

        if (MlNames.AliasProblem(alias) is { } aliasProblem)
        {
            return ApplicationProblemException.Invalid(aliasProblem, "alias");
        }

        if (version < 1)
        {
            return ApplicationProblemException.Invalid($"version must be a version number (1, 2, …), not {version}", "version");
        }

        // Reasons are shown in terminals and pages: an escape sequence kept here could drive a reader's terminal.
        if (reason is not null && reason.Any(char.IsControl))
        {
            return ApplicationProblemException.Invalid("reason must be printable text (no control characters or terminal escape sequences)", "reason");
        }

        return reason is { Length: > MaxReason } ? ApplicationProblemException.Invalid($"reason is longer than {MaxReason} characters", "reason") : null;
    }
}

internal sealed class ModelAliasCommands(IModelRegistryStore models, TimeProvider time) : IModelAliasCommands
{

    public async Task<AliasMoveResult> MoveAsync(string name, string alias, int version, string? reason, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (AliasMoveRules.Problem(name, alias, version, reason) is { } problem)
        {
            throw problem;
        }

        Storage.Records.AliasMoveRecord? move;
        try
        {
            move = await models.SetAliasAsync(name, alias, version, actor.Name, reason, time.GetUtcNow(), cancellationToken);
        }
        catch (KeyNotFoundException missing)
        {
            throw ApplicationProblemException.NotFound(missing.Message);
        }

        if (move is not null)
        {
            return new AliasMoveResult(AliasHistory.Entry(move), Moved: true);
        }

        var current = (await models.AliasHistoryAsync(name, alias, cancellationToken)).FirstOrDefault(entry => entry.ToVersion == version);
        return new AliasMoveResult(
            current is null ? new AliasHistoryEntry(alias, version, version, actor.Name, reason, time.GetUtcNow()) : AliasHistory.Entry(current),
            Moved: false);
    }
}
