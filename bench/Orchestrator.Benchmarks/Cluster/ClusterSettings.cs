using System.Globalization;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>The cluster bench's options: <c>--workers 2 --concurrency 2 --repetitions 1 --task-type empty|shell
/// --baseline default|none --timeout-minutes 10</c>.</summary>
internal sealed record ClusterSettings(int Workers, int Concurrency, int Repetitions, string TaskType, string Baseline, TimeSpan Timeout)
{
    public const string Usage = "cluster [--workers 2] [--concurrency 2] [--repetitions 1] [--task-type empty|shell] [--baseline default|none] [--timeout-minutes 10]";

    public static ClusterSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"cluster: expected '--name value' pairs, got '{args[i]}' at argument {i + 1}; usage: {Usage}");
            }

            values[args[i][2..]] = args[++i];
        }

        int Number(string name, int fallback)
        {
            if (!values.Remove(name, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"cluster: --{name} expects a positive whole number, got '{text}'");
        }

        string OneOf(string name, string fallback, params string[] allowed)
        {
            var value = values.Remove(name, out var text) ? text : fallback;
            return allowed.Contains(value) ? value : throw new ArgumentException($"cluster: --{name} expects one of {string.Join(", ", allowed)}, got '{value}'");
        }

        var settings = new ClusterSettings(Number("workers", 2), Number("concurrency", 2), Number("repetitions", 1),
            OneOf("task-type", "empty", "empty", "shell"), OneOf("baseline", "default", "default", "longpoll", "none"),
            TimeSpan.FromMinutes(Number("timeout-minutes", 10)));
        return values.Count == 0 ? settings : throw new ArgumentException($"cluster: unknown option --{values.Keys.First()}; usage: {Usage}");
    }
}
