namespace Orchestrator.Core.Authoring;

/// <summary>Implemented by a public class in <c>dags/*.cs</c> to declare one DAG through the builder.
/// The builder starts with an id derived from the class name (<c>NightlyTrainingDag</c> → <c>nightly_training</c>);
/// call <see cref="DagBuilder.Id"/> to choose another.</summary>
public interface IDagDefinition
{
    void Define(DagBuilder dag);
}
