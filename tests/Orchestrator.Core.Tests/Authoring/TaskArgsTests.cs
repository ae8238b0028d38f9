using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Tests.Authoring;

public class TaskArgsTests
{
    private static TaskArgs Args(string json) => new(JsonDocument.Parse(json).RootElement.Clone(), new TaskId("train"), "/dags/ml");

    [Fact]
    public void Readers_TakeTheirKind_AndTextFromTemplates()
    {
        var args = Args("""
            {"label": "fare", "holdout": 0.2, "holdoutText": "0.25", "seed": 7, "seedText": "8", "shuffle": true, "shuffleText": "False",
             "path": "data/x.csv", "abs": "/tmp/y.csv", "hp": {"trees": 10}, "hpText": "{\"trees\":5}", "features": ["a", "b"], "none": null}
            """);

        Assert.Equal("fare", args.RequireString("label"));
        Assert.Equal(0.2, args.RequireNumber("holdout"));
        Assert.Equal(0.25, args.GetNumber("holdoutText"));
        Assert.Equal(7, args.RequireInt("seed"));
        Assert.Equal(8, args.GetInt("seedText"));
        Assert.True(args.RequireBool("shuffle"));
        Assert.False(args.GetBool("shuffleText"));
        Assert.Equal("/dags/ml/data/x.csv", args.RequirePath("path"));
        Assert.Equal("/tmp/y.csv", args.GetPath("abs"));
        Assert.Equal(10, args.RequireObject("hp").GetProperty("trees").GetInt32());
        Assert.Equal(5, args.GetObject("hpText")!.Value.GetProperty("trees").GetInt32());
        Assert.Equal(["a", "b"], args.GetStringList("features"));
        Assert.Equal(2, args.RequireArray("features").GetArrayLength());
        Assert.Equal(10, args.Get<Dictionary<string, int>>("hp")!["trees"]);
    }

    [Fact]
    public void AbsentAndNull_AreNull_ForGetters()
    {
        var args = Args("""{"none": null}""");

        Assert.False(args.Has("none"));
        Assert.False(args.Has("missing"));
        Assert.Null(args.GetString("none"));
        Assert.Null(args.GetNumber("missing"));
        Assert.Null(args.GetInt("missing"));
        Assert.Null(args.GetBool("missing"));
        Assert.Null(args.GetPath("missing"));
        Assert.Null(args.GetObject("missing"));
        Assert.Null(args.GetArray("missing"));
        Assert.Null(args.GetStringList("missing"));
    }

    public static TheoryData<Func<TaskArgs, object?>, string> Missing => new()
    {
        { a => a.RequireString("label"), "task 'train': args.label (a string) is required" },
        { a => a.RequireNumber("holdout"), "task 'train': args.holdout (a number) is required" },
        { a => a.RequireInt("seed"), "task 'train': args.seed (a whole number) is required" },
        { a => a.RequireBool("shuffle"), "task 'train': args.shuffle (true or false) is required" },
        { a => a.RequirePath("path"), "task 'train': args.path (a path) is required" },
        { a => a.RequireObject("hp"), "task 'train': args.hp (an object) is required" },
        { a => a.RequireArray("features"), "task 'train': args.features (an array) is required" },
    };

    [Theory]
    [MemberData(nameof(Missing))]
    public void RequiredField_Missing_NamesTaskAndField(Func<TaskArgs, object?> read, string message)
    {
        var error = Assert.Throws<TaskArgumentException>(() => read(Args("""{"other": 1, "label": null}""")));

        Assert.Equal(message, error.Message);
    }

    public static TheoryData<Func<TaskArgs, object?>, string> WrongKind => new()
    {
        { a => a.GetString("n"), "task 'train': args.n must be a string, not the number 5" },
        { a => a.GetNumber("s"), "task 'train': args.s must be a number, not the string \"abc\"" },
        { a => a.GetInt("f"), "task 'train': args.f must be a whole number, not the number 1.5" },
        { a => a.GetBool("s"), "task 'train': args.s must be true or false, not the string \"abc\"" },
        { a => a.GetPath("n"), "task 'train': args.n must be a string, not the number 5" },
        { a => a.GetObject("list"), "task 'train': args.list must be an object, not an array" },
        { a => a.GetArray("s"), "task 'train': args.s must be an array, not the string \"abc\"" },
        { a => a.GetStringList("mixed"), "task 'train': args.mixed[1] must be a string, not the number 2" },
        { a => a.Get<int>("s"), "task 'train': args.s is not a valid Int32" },
    };

    [Theory]
    [MemberData(nameof(WrongKind))]
    public void FieldOfTheWrongKind_NamesTaskFieldAndWhatItHolds(Func<TaskArgs, object?> read, string message)
    {
        var error = Assert.Throws<TaskArgumentException>(() => read(Args("""{"n": 5, "s": "abc", "f": 1.5, "list": [1], "mixed": ["a", 2]}""")));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgsThatAreNotAnObject_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TaskArgs(JsonDocument.Parse("[1]").RootElement, new TaskId("t"), "."));

        Assert.Contains("task 't': args must be a JSON object", error.Message, StringComparison.Ordinal);
    }
}
