using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Loading.CSharp;
using Orchestrator.Loading.Tests.Json;

namespace Orchestrator.Loading.Tests.CSharp;

public sealed class CSharpDagFileLoaderTests : IDisposable
{
    private const string ValidDag = """
        namespace Demo;

        public sealed class NightlyDag : IDagDefinition
        {
            public void Define(DagBuilder dag)
            {
                dag.Schedule("@daily");
                var count = dag.Task<CountTask>("count").WithArgs(new { text = "a b c" }).Retries(3, "10s");
                dag.Shell("report", "echo {{ outputs.count.words }}").DependsOn(count).TriggerRule(TriggerRule.AllDone);
            }
        }

        public sealed class CountTask : IDagTask
        {
            public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
            {
                context.Logger.LogInformation("counting");
                return Task.FromResult<object?>(new { words = context.Args.RequireString("text").Split(' ').Length });
            }
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-cs-").FullName;
    private readonly CSharpDagFileLoader _loader = new(new DagLoaderOptions { DefineTimeout = TimeSpan.FromSeconds(1), KnownTaskTypes = new HashSet<string> { "shell", "empty", "csharp" } });

    public void Dispose()
    {
        _loader.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task DagClass_WithItsOwnTaskClass_Loads()
    {
        var result = await LoadAsync(ValidDag);

        Assert.Empty(result.Errors);
        var dag = Assert.Single(result.Dags).Definition;
        Assert.Equal("nightly", dag.Id.Value); // from the class name
        Assert.Equal("@daily", dag.Schedule);
        Assert.Equal(["count", "report"], dag.Tasks.Select(t => t.Id.Value));
        Assert.Equal((TaskDefinition.CSharpTaskType, 3), (dag.Tasks[0].Type, dag.Tasks[0].Retry.Retries));
        Assert.Equal(TriggerRule.AllDone, dag.Tasks[1].TriggerRule);
        Assert.Equal(["count"], dag.Tasks[1].DependsOn.Select(d => d.Value));
        Assert.Equal(8, dag.Tasks[0].Location.Line); // the line of dag.Task<CountTask>(...)
        Assert.Equal(result.FilePath, dag.Tasks[0].Location.File);
    }

    [Fact]
    public async Task TaskClass_RunsAndReturnsItsOutput()
    {
        var task = Assert.Single((await LoadAsync(ValidDag)).Dags).Definition.Tasks[0];
        var instance = (IDagTask)Activator.CreateInstance(task.Implementation!)!;

        var output = await instance.ExecuteAsync(Context(task), CancellationToken.None);

        Assert.Equal("""{"words":3}""", JsonSerializer.Serialize(output));
    }

    [Fact]
    public async Task CompileError_IsAnImportError_WithLineColumnAndCode()
    {
        var result = await LoadAsync("""
            public sealed class BrokenDag : IDagDefinition
            {
                public void Define(DagBuilder dag)
                {
                    dag.Empty("a")
                }
            }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, 23), (error.Location.Line, error.Location.Column));
        Assert.Equal("CS1002: ; expected", error.Message);
    }

    [Fact]
    public async Task DefineThatThrows_IsAnImportError_AtTheLineOfTheThrow()
    {
        var result = await LoadAsync("""
            public sealed class ThrowingDag : IDagDefinition
            {
                public void Define(DagBuilder dag)
                {
                    dag.Empty("a");
                    throw new InvalidOperationException("no config");
                }
            }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Location.Line);
        Assert.Equal("ThrowingDag threw InvalidOperationException: no config", error.Message);
    }

    [Fact]
    public async Task DefineThatNeverEnds_IsAnImportError_AndTheCallerReturns()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await LoadAsync("""
            public sealed class SlowDag : IDagDefinition
            {
                public void Define(DagBuilder dag) { while (true) { Thread.Sleep(100); } }
            }
            """);

        Assert.Equal("SlowDag: defining the DAG took longer than 1s; Define must only declare tasks, not do work", Assert.Single(result.Errors).Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task FileWithoutDagClass_IsAnImportError() =>
        Assert.Equal("no public class implementing IDagDefinition in this file",
            Assert.Single((await LoadAsync("public static class Helpers { }")).Errors).Message);

    [Fact]
    public async Task TwoDagClasses_GiveTwoDags()
    {
        var result = await LoadAsync("""
            public sealed class FirstDag : IDagDefinition { public void Define(DagBuilder dag) => dag.Empty("a"); }
            public sealed class SecondDag : IDagDefinition { public void Define(DagBuilder dag) => dag.Id("custom").Empty("b"); }
            """);

        Assert.Equal(["custom", "first"], result.Dags.Select(d => d.Id.Value).Order());
    }

    [Fact]
    public async Task GraphError_PointsAtTheTaskLine()
    {
        var result = await LoadAsync("""
            public sealed class CycleDag : IDagDefinition
            {
                public void Define(DagBuilder dag)
                {
                    dag.Empty("alpha").DependsOn("beta");
                    dag.Empty("beta").DependsOn("alpha");
                }
            }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal(5, error.Location.Line);
        Assert.Equal("cycle: alpha -> beta -> alpha", error.Message);
    }

    [Fact]
    public async Task SameVersion_IsNotCompiledAgain()
    {
        var first = await LoadAsync(ValidDag);
        var second = await LoadAsync(ValidDag);

        Assert.Same(first, second);
    }

    [Fact]
    public async Task ChangedFile_UnloadsTheOldCode()
    {
        var oldContext = await LoadAndForgetAsync(ValidDag);

        await LoadAsync("public sealed class OtherDag : IDagDefinition { public void Define(DagBuilder dag) => dag.Empty(\"b\"); }");
        for (var i = 0; i < 20 && oldContext.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        Assert.False(oldContext.IsAlive);
    }

    [Fact]
    public async Task TheExampleDag_Loads()
    {
        var path = Path.Combine(JsonDagFileLoaderTests.RepoRoot(), "dags", "TaxiFareProfileDag.cs");

        var result = await _loader.LoadAsync(path, await File.ReadAllBytesAsync(path), CancellationToken.None);

        Assert.Empty(result.Errors);
        Assert.Equal("taxi_fare_profile", Assert.Single(result.Dags).Id.Value);
    }

    /// <summary>Loads a file, then drops every strong reference to its load context except a weak one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<WeakReference> LoadAndForgetAsync(string source)
    {
        var result = await LoadAsync(source);
        var type = result.Dags[0].Definition.Tasks.Select(t => t.Implementation).FirstOrDefault(t => t is not null)
            ?? result.Dags[0].Definition.GetType();
        return new WeakReference(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(type.Assembly));
    }

    private async Task<DagFileLoadResult> LoadAsync(string source)
    {
        var path = Path.Combine(_folder, "dag.cs");
        var bytes = Encoding.UTF8.GetBytes(source);
        await File.WriteAllBytesAsync(path, bytes);
        return await _loader.LoadAsync(path, bytes, CancellationToken.None);
    }

    private static TaskContext Context(TaskDefinition task)
    {
        var run = new RunContext
        {
            DagId = new DagId("nightly"),
            RunId = new RunId("manual__1"),
            LogicalDate = DateTimeOffset.UnixEpoch,
            Params = new Dictionary<string, JsonElement>(),
            Outputs = new Dictionary<TaskId, JsonElement>(),
            DagFolder = ".",
        };
        return new TaskContext
        {
            Run = run,
            Task = task,
            TryNumber = 1,
            MaxTries = 1,
            Args = new TaskArgs(task.Args, task.Id, run.DagFolder),
            Templates = new Orchestrator.Core.Templating.TemplateScope(run.DagId, run.RunId, run.LogicalDate, task.Id, 1, run.Params, run.Outputs),
            Logger = NullLogger.Instance,
            Log = new NoLog(),
            Time = TimeProvider.System,
        };
    }

    private sealed class NoLog : ITaskLog
    {
        public LogLimits Limits => LogLimits.Default;

        public void Write(string level, string message, long cutChars)
        {
        }
    }
}
