using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Orchestrator.Cluster.Tests.Compose;

/// <summary>docker-compose.yml read as compose reads it (YAML merge keys resolved), with typed access to what the
/// tests check: each service's image, command, environment, volumes, depends_on and health check.</summary>
public sealed class ComposeFile
{
    private readonly Dictionary<object, object> _root;

    private ComposeFile(Dictionary<object, object> root) => _root = root;

    public static ComposeFile Load(string path)
    {
        using var reader = new StreamReader(path);
        var deserializer = new DeserializerBuilder().Build();
        var root = deserializer.Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)))
                   ?? throw new InvalidDataException($"{path} is empty");
        return new ComposeFile(root);
    }

    public IReadOnlyDictionary<string, ComposeService> Services =>
        Map(_root, "services").ToDictionary(s => (string)s.Key, s => new ComposeService((string)s.Key, (Dictionary<object, object>)s.Value));

    public IReadOnlyCollection<string> NamedVolumes => Map(_root, "volumes").Keys.Cast<string>().ToList();

    internal static Dictionary<object, object> Map(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) && value is Dictionary<object, object> map ? map : [];
}

/// <summary>One service of the compose file.</summary>
public sealed class ComposeService(string name, Dictionary<object, object> body)
{
    public string Name { get; } = name;

    public string? Image => body.TryGetValue("image", out var image) ? image as string : null;

    public string? Restart => body.TryGetValue("restart", out var restart) ? restart as string : null;

    /// <summary>The command in exec form; a string command is split on spaces.</summary>
    public IReadOnlyList<string> Command => body.TryGetValue("command", out var command)
        ? command switch
        {
            List<object> list => list.Cast<string>().ToList(),
            string text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            _ => [],
        }
        : [];

    public string? Dockerfile => ComposeFile.Map(body, "build").TryGetValue("dockerfile", out var file) ? file as string : null;

    /// <summary>Environment in map form (the list form KEY=VALUE is read too).</summary>
    public IReadOnlyDictionary<string, string> Environment => body.TryGetValue("environment", out var environment)
        ? environment switch
        {
            Dictionary<object, object> map => map.ToDictionary(e => (string)e.Key, e => e.Value as string ?? ""),
            List<object> list => list.Cast<string>().Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
            _ => new Dictionary<string, string>(),
        }
        : new Dictionary<string, string>();

    /// <summary>Short-form volumes as (source, target).</summary>
    public IReadOnlyList<(string Source, string Target)> Volumes => body.TryGetValue("volumes", out var volumes) && volumes is List<object> list
        ? list.Cast<string>().Select(v => v.Split(':')).Select(p => (p[0], p[1])).ToList()
        : [];

    public IReadOnlyList<string> Ports => body.TryGetValue("ports", out var ports) && ports is List<object> list ? list.Cast<string>().ToList() : [];

    /// <summary>depends_on in long form: service → condition.</summary>
    public IReadOnlyDictionary<string, string> DependsOn =>
        ComposeFile.Map(body, "depends_on").ToDictionary(
            d => (string)d.Key,
            d => d.Value is Dictionary<object, object> entry && entry.TryGetValue("condition", out var condition) ? (string)condition : "");

    /// <summary>The health check's test as one string ("CMD-SHELL pg_isready …"), or null without one.</summary>
    public string? HealthCheck => ComposeFile.Map(body, "healthcheck").TryGetValue("test", out var test)
        ? test switch
        {
            List<object> list => string.Join(' ', list.Cast<string>()),
            string text => text,
            _ => null,
        }
        : null;
}
