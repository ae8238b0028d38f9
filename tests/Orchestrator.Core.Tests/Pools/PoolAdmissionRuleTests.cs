using Orchestrator.Core.Pools;

namespace Orchestrator.Core.Tests.Pools;

public class PoolAdmissionRuleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void HighestPriority_GoesFirst()
    {
        var admitted = Keys(PoolAdmissionRule.Choose(2, [W("low", 1, 1, 0), W("high", 1, 9, 5), W("mid", 1, 5, 1)]));

        Assert.Equal(["high", "mid"], admitted);
    }

    [Fact]
    public void AmongEqualPriorities_TheLongestWaitingGoesFirst()
    {
        var admitted = Keys(PoolAdmissionRule.Choose(2, [W("new", 1, 3, 30), W("old", 1, 3, 10), W("middle", 1, 3, 20)]));

        Assert.Equal(["old", "middle"], admitted);
    }

    [Fact]
    public void AmongEqualPrioritiesAndTimes_TheKeyOrderDecides()
    {
        var waiters = new[] { W("b", 1, 3, 0), W("c", 1, 3, 0), W("a", 1, 3, 0) };

        Assert.Equal(["a", "b"], Keys(PoolAdmissionRule.Choose(2, waiters)));
        Assert.Equal(["c", "b"], Keys(PoolAdmissionRule.Choose(2, waiters, Comparer<string>.Create((x, y) => string.CompareOrdinal(y, x)))));
    }

    [Fact]
    public void WaitingTime_ComparesInstants_NotOffsets()
    {
        // 01:00+02:00 is 23:00 the day before in UTC: earlier than 00:30Z.
        var early = new PoolWaiter<string>("early", 1, 3, new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.FromHours(2)));
        var late = new PoolWaiter<string>("late", 1, 3, new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.Zero));

        Assert.Equal(["early"], Keys(PoolAdmissionRule.Choose(1, [late, early])));
    }

    [Fact]
    public void ATaskNeedingMoreSlotsThanAreOpen_IsPassedOver_ForSmallerOnes()
    {
        var admitted = Keys(PoolAdmissionRule.Choose(3, [W("big", 4, 10, 0), W("two", 2, 5, 0), W("one", 1, 1, 0), W("another", 1, 0, 0)]));

        Assert.Equal(["two", "one"], admitted);
    }

    [Fact]
    public void AfterAPassOver_LaterSmallerTasksStillFitWhatIsLeft()
    {
        var admitted = Keys(PoolAdmissionRule.Choose(3, [W("a", 2, 10, 0), W("b", 2, 9, 0), W("c", 1, 8, 0), W("d", 1, 7, 0)]));

        Assert.Equal(["a", "c"], admitted);
    }

    [Fact]
    public void ExactlyFillingThePool_IsAllowed()
    {
        Assert.Equal(["a", "b"], Keys(PoolAdmissionRule.Choose(5, [W("a", 3, 2, 0), W("b", 2, 1, 0)])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void NoOpenSlots_AdmitsNothing(int open)
    {
        Assert.Empty(PoolAdmissionRule.Choose(open, [W("a", 1, 100, 0), W("b", 1, 1, 0)]));
    }

    [Fact]
    public void NobodyWaiting_AdmitsNothing()
    {
        Assert.Empty(PoolAdmissionRule.Choose(10, Array.Empty<PoolWaiter<string>>()));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(-2, 5)]
    [InlineData(0, 0)] // refused even when no slot is open, so bad input never goes unnoticed
    public void AWaiterOfFewerThanOneSlot_IsRefused(int slots, int open)
    {
        var error = Assert.Throws<ArgumentException>(() => PoolAdmissionRule.Choose(open, [W("ok", 1, 1, 0), W("bad", slots, 9, 0)]));

        Assert.Contains("bad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullWaiting_IsRefused()
    {
        Assert.Throws<ArgumentNullException>(() => PoolAdmissionRule.Choose<string>(1, null!));
    }

    [Fact]
    public void RandomCases_MatchAPickTheBestThatFitsModel()
    {
        var random = new Random(2026);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var open = random.Next(-3, 13);
            // Few distinct priorities and times, so ties on both are common and the key order is exercised.
            var waiters = Enumerable.Range(0, random.Next(0, 9))
                .Select(key => new PoolWaiter<int>(key, random.Next(1, 6), random.Next(-2, 3), T0.AddSeconds(random.Next(0, 3))))
                .OrderBy(_ => random.Next())
                .ToList();

            var admitted = PoolAdmissionRule.Choose(open, waiters);
            var expected = Model(open, waiters);

            Assert.Equal(expected.Select(w => w.Key), admitted.Select(w => w.Key));
            Assert.True(admitted.Sum(w => w.Slots) <= Math.Max(open, 0), $"trial {trial}: admitted more slots than open");
            var left = Math.Max(open, 0) - admitted.Sum(w => w.Slots);
            Assert.All(waiters.Except(admitted), w => Assert.True(w.Slots > left, $"trial {trial}: {w} fits the {left} slots left but waits"));
        }
    }

    /// <summary>Independent model: while anything fits, admit the best of the waiters that fit now (no sorting).</summary>
    private static List<PoolWaiter<int>> Model(int open, List<PoolWaiter<int>> waiters)
    {
        var remaining = new List<PoolWaiter<int>>(waiters);
        var admitted = new List<PoolWaiter<int>>();
        while (true)
        {
            PoolWaiter<int>? best = null;
            foreach (var w in remaining.Where(w => w.Slots <= open))
            {
                if (best is not { } b || Better(w, b))
                {
                    best = w;
                }
            }

            if (best is not { } chosen)
            {
                return admitted;
            }

            admitted.Add(chosen);
            remaining.Remove(chosen);
            open -= chosen.Slots;
        }
    }

    private static bool Better(PoolWaiter<int> x, PoolWaiter<int> y) =>
        x.Priority != y.Priority ? x.Priority > y.Priority
        : x.WaitingSince != y.WaitingSince ? x.WaitingSince < y.WaitingSince
        : x.Key < y.Key;

    private static PoolWaiter<string> W(string key, int slots, int priority, int waitingSeconds) =>
        new(key, slots, priority, T0.AddSeconds(waitingSeconds));

    private static string[] Keys(IReadOnlyList<PoolWaiter<string>> admitted) => [.. admitted.Select(w => w.Key)];
}
