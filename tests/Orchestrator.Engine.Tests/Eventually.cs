namespace Orchestrator.Engine.Tests;

/// <summary>Waits for something a real engine does in the background (real time: these tests run real tasks).</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"condition not reached within {limit.TotalSeconds:0} s");
    }

    /// <summary>Waits for <paramref name="probe"/> to return a value, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan? within = null)
        where T : class
    {
        T? value = null;
        await WaitUntilAsync(async () => (value = await probe()) is not null, within);
        return value!;
    }
}
