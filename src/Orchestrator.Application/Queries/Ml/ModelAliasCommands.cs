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

internal sealed class ModelAliasCommands(IModelRegistryStore models, TimeProvider time) : IModelAliasCommands
{
    public const int MaxReason = 1000;

    public async Task<AliasMoveResult> MoveAsync(string name, string alias, int version, string? reason, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (MlNames.ModelNameProblem(name) is { } nameProblem)
        {
            throw ApplicationProblemException.Invalid(nameProblem, "name");
        }

        if (MlNames.AliasProblem(alias) is { } aliasProblem)
        {
            throw ApplicationProblemException.Invalid(aliasProblem, "alias");
        }

        if (version < 1)
        {
            throw ApplicationProblemException.Invalid($"version must be a version number (1, 2, …), not {version}", "version");
        }

        // Reasons are shown in terminals and pages: an escape sequence kept here could drive a reader's terminal.
        if (reason is not null && reason.Any(char.IsControl))
        {
            throw ApplicationProblemException.Invalid("reason must be printable text (no control characters or terminal escape sequences)", "reason");
        }

        if (reason is { Length: > MaxReason })
        {
            throw ApplicationProblemException.Invalid($"reason is longer than {MaxReason} characters", "reason");
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
