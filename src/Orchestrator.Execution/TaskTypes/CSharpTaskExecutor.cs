using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Runs a C# task class: a new instance per try, made by the host's services in a scope of the try's own
/// (so its constructor may ask for any registered service, and what the scope made is disposed with it), its return
/// value serialised as the output.</summary>
internal sealed class CSharpTaskExecutor(IServiceProvider services) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var type = context.Task.Implementation
            ?? throw new TaskFailedNoRetryException($"task '{context.TaskId}' has no task class");
        if (!typeof(IDagTask).IsAssignableFrom(type))
        {
            throw new TaskFailedNoRetryException($"{type.FullName} does not implement {nameof(IDagTask)}");
        }

        await using var scope = services.CreateAsyncScope();
        var task = (IDagTask)Create(scope.ServiceProvider, type, context.TaskId);
        try
        {
            var result = await task.ExecuteAsync(context, cancellationToken);
            return result is null ? null : JsonValues.FromObject(result);
        }
        finally
        {
            switch (task)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>The task class's instance; a constructor parameter no service answers fails the try with a message
    /// naming the class, the parameter and its type, before anything runs.</summary>
    private static object Create(IServiceProvider provider, Type type, TaskId task)
    {
        // A missing service is the host's configuration: another try cannot find it, so it is not retried.
        if (MissingService(provider, type) is { } missing)
        {
            throw new TaskFailedNoRetryException(
                $"task '{task}': cannot create {type.FullName}: its constructor parameter '{missing.Name}' ({Describe(missing.ParameterType)}) " +
                "is not a registered service; register it in the host's services, or read it from the TaskContext");
        }

        try
        {
            return ActivatorUtilities.CreateInstance(provider, type);
        }
        catch (InvalidOperationException exception)
        {
            throw new TaskFailedException($"task '{task}': cannot create {type.FullName}: {exception.Message}", exception);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw new TaskFailedException($"task '{task}': the constructor of {type.FullName} threw {inner.GetType().Name}: {inner.Message}", inner);
        }
    }

    /// <summary>When the class has one public constructor (the usual case), its first parameter that is neither a
    /// registered service nor optional; null when all are answerable, or when several constructors leave the choice to
    /// <see cref="ActivatorUtilities"/>.</summary>
    private static ParameterInfo? MissingService(IServiceProvider provider, Type type)
    {
        var constructors = type.GetConstructors();
        if (constructors.Length != 1 || provider.GetService<IServiceProviderIsService>() is not { } isService)
        {
            return null;
        }

        return constructors[0].GetParameters().FirstOrDefault(parameter => !parameter.HasDefaultValue && !isService.IsService(parameter.ParameterType));
    }

    private static string Describe(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
            : type.Name;
}
