using Orchestrator.ML.Data.Profiling;

namespace Orchestrator.ML.Tests.Data;

public sealed class ValueCounterTests
{
    [Fact]
    public void Counts_exactly_up_to_capacity()
    {
        var counter = new ValueCounter(3);
        foreach (var value in new[] { "a", "b", "a", "c", "a", "b" })
        {
            Assert.True(counter.Add(value));
        }

        Assert.False(counter.Overflowed);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 3, ["b"] = 2, ["c"] = 1 }, counter.Counts.ToDictionary());
    }

    [Fact]
    public void Past_capacity_frequent_values_survive_with_bounded_undercount()
    {
        // "hot" is 30% of 10,000 values; the rest are all distinct. Misra-Gries with k=9 keeps every value above n/10
        // and undercounts it by at most n/10.
        var counter = new ValueCounter(9);
        var n = 10_000;
        for (var i = 0; i < n; i++)
        {
            counter.Add(i % 10 < 3 ? "hot" : $"cold{i}");
        }

        Assert.True(counter.Overflowed);
        var hot = counter.Counts.ToDictionary()["hot"];
        Assert.InRange(hot, 3000 - (n / 10), 3000);
        Assert.True(counter.Tracked <= 9);
    }

    [Fact]
    public void Exact_add_refuses_a_new_value_when_full_and_changes_nothing()
    {
        var counter = new ValueCounter(2);
        Assert.True(counter.TryAddExact("1"));
        Assert.True(counter.TryAddExact("2"));
        Assert.False(counter.TryAddExact("3"));
        Assert.True(counter.TryAddExact("1"));
        Assert.Equal(3, counter.Total);
        Assert.False(counter.Overflowed);
        counter.Resize(3);
        Assert.True(counter.TryAddExact("3"));
    }
}
