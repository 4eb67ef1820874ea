using PepLab.Core;

namespace PepLab.Tests;

public class ThreadPriorityTests
{
    [Fact]
    public void LoweringChangesOnlyTheCallingThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(ThreadPriorities.LowerCurrentThread(5));
            return;
        }
        int? before = ThreadPriorities.CurrentNice();
        Assert.NotNull(before);
        int? inside = null, child = null;
        bool lowered = false;
        var thread = new Thread(() =>
        {
            lowered = ThreadPriorities.LowerCurrentThread(Math.Max(before.Value, 7));
            inside = ThreadPriorities.CurrentNice();
            // Threads inherit their creator's value: a run's writer thread is lowered with it.
            var t = new Thread(() => child = ThreadPriorities.CurrentNice());
            t.Start();
            t.Join();
        });
        thread.Start();
        thread.Join();
        Assert.True(lowered);
        Assert.Equal(Math.Max(before.Value, 7), inside);
        Assert.Equal(inside, child);
        Assert.Equal(before, ThreadPriorities.CurrentNice());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(20)]
    public void RejectsValuesOutsideNiceRange(int nice) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadPriorities.LowerCurrentThread(nice));
}
