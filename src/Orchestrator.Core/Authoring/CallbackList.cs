using Orchestrator.Core.Alerts;
using Orchestrator.Core.Model;
using Orchestrator.Core.Validation;

namespace Orchestrator.Core.Authoring;

/// <summary>The callbacks a DAG or task builder collects, checked when the DAG is built.</summary>
internal sealed class CallbackList
{
    private readonly Dictionary<CallbackTrigger, List<CallbackTarget>> _targets = [];

    public void Add(CallbackTrigger trigger, CallbackTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Enum.IsDefined(trigger))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "unknown callback trigger");
        }

        if (!_targets.TryGetValue(trigger, out var list))
        {
            _targets[trigger] = list = [];
        }

        list.Add(target);
    }

    /// <summary>The callbacks, adding an error (field <c>PREFIX.callbacks.onX[i].key</c>) for each invalid target.</summary>
    public Model.Callbacks Build(SourceLocation location, string prefix, List<DagError> errors)
    {
        if (_targets.Count == 0)
        {
            return Model.Callbacks.None;
        }

        foreach (var (trigger, targets) in _targets)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                foreach (var (key, problem) in CallbackRules.Explain(targets[i]))
                {
                    var field = $"{(prefix.Length == 0 ? "" : prefix + ".")}callbacks.{CallbackRules.KeyOf(trigger)}[{i}].{key}";
                    errors.Add(new DagError(location.WithField(field), problem));
                }
            }
        }

        return new Model.Callbacks(_targets.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<CallbackTarget>)[.. pair.Value]));
    }
}
