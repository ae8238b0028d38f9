using Orchestrator.Core.Model;
using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Core.Tests;

/// <summary>Small DAGs written as "task: upstream upstream" lines, for tests that care about shape only.</summary>
internal static class TestDags
{
    public static List<TaskDefinition> Tasks(params string[] lines) =>
        [.. lines.Select(line =>
        {
            var parts = line.Split(':', 2);
            var head = parts[0].Trim().Split('/');
            var rule = head.Length > 1 && TriggerRuleNames.TryParse(head[1], out var parsed) ? parsed : TriggerRule.AllSuccess;
            var upstream = parts.Length > 1 ? parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
            return new TaskDefinition
            {
                Id = new TaskId(head[0]),
                Type = "empty",
                TriggerRule = rule,
                DependsOn = [.. upstream.Select(u => new TaskId(u))],
            };
        })];
}
