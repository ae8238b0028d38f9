using Orchestrator.Core.Model;
using Orchestrator.Engine.Dispatch;

namespace Orchestrator.Engine.Tests;

public sealed class ReadyTriesTests
{
    private static ReadyTry Try(int n) => new(new RunId("r"), new TaskId($"t{n}"), 1);

    [Fact]
    public void ABurst_AsksForOneDrainPerPlace_AndNoMore()
    {
        var ready = new ReadyTries(maxDrains: 3);
        var requests = Enumerable.Range(0, 100).Select(n => ready.Add(Try(n))).ToList();
        Assert.Equal([DrainRequest.First, DrainRequest.Another, DrainRequest.Another], requests.Take(3));
        Assert.All(requests.Skip(3), request => Assert.Equal(DrainRequest.None, request));
        Assert.Equal(3, ready.Drains);
        Assert.Equal(100, ready.Count);
    }

    [Fact]
    public void ADrainThatFindsNothing_Retires_AndTheNextTryStartsANewOne()
    {
        var ready = new ReadyTries(maxDrains: 1);
        Assert.NotEqual(DrainRequest.None, ready.Add(Try(1)));
        Assert.True(ready.TryTake(out var taken));
        Assert.Equal(Try(1), taken);
        Assert.True(ready.TryRetire());
        Assert.Equal(0, ready.Drains);
        Assert.Equal(DrainRequest.First, ready.Add(Try(2)));
    }

    [Fact]
    public void ATryAddedWhileTheOnlyDrainIsRetiring_KeepsThatDrainGoing()
    {
        var ready = new ReadyTries(maxDrains: 1);
        Assert.NotEqual(DrainRequest.None, ready.Add(Try(1)));
        Assert.True(ready.TryTake(out _));
        // The drain looked and found nothing; a try arrives before it gives up its place: no new drain is asked for.
        Assert.Equal(DrainRequest.None, ready.Add(Try(2)));
        Assert.False(ready.TryRetire());
        Assert.Equal(1, ready.Drains);
        Assert.True(ready.TryTake(out var taken));
        Assert.Equal(Try(2), taken);
        Assert.True(ready.TryRetire());
    }

    [Fact]
    public async Task UnderConcurrentAddsAndDrains_EveryTryIsTakenExactlyOnce_AndNoDrainIsLeft()
    {
        const int Producers = 4;
        const int PerProducer = 20_000;
        var ready = new ReadyTries(maxDrains: 3);
        var taken = new System.Collections.Concurrent.ConcurrentBag<ReadyTry>();
        var drains = new System.Collections.Concurrent.ConcurrentBag<Task>();

        void StartDrain() => drains.Add(Task.Run(() =>
        {
            do
            {
                while (ready.TryTake(out var next))
                {
                    taken.Add(next);
                }
            }
            while (!ready.TryRetire());
        }));

        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                if (ready.Add(new ReadyTry(new RunId($"r{p}"), new TaskId($"t{i}"), 1)) != DrainRequest.None)
                {
                    StartDrain();
                }
            }
        })));
        while (drains.Any(d => !d.IsCompleted))
        {
            await Task.WhenAll(drains.ToArray()).WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, ready.Count);
        Assert.Equal(0, ready.Drains);
        Assert.Equal(Producers * PerProducer, taken.Count);
        Assert.Equal(Producers * PerProducer, taken.Distinct().Count());
    }
}
