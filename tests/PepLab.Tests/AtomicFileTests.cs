using System.Diagnostics;
using PepLab.Core;

namespace PepLab.Tests;

public class AtomicFileTests
{
    [Fact]
    public void NothingUnderTheFinalNameUntilCommit()
    {
        using var dir = new TempDir();
        string path = dir.File("sub/out.txt");
        using (var file = AtomicFile.Create(path))
        {
            file.Stream.Write("abc"u8);
            Assert.False(File.Exists(path));
            Assert.True(File.Exists(AtomicFile.TemporaryPathOf(Path.GetFullPath(path))));
            file.Commit();
        }
        Assert.Equal("abc", File.ReadAllText(path));
        Assert.False(File.Exists(AtomicFile.TemporaryPathOf(path)));
    }

    [Fact]
    public void DisposingWithoutCommitLeavesNothing()
    {
        using var dir = new TempDir();
        string path = dir.File("out.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(path, s => { s.Write("new"u8); throw new InvalidOperationException("boom"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*" + AtomicFile.TemporarySuffix));
    }

    [Fact]
    public void AStaleTemporaryFromAKilledProcessIsReusedAndEmptied()
    {
        using var dir = new TempDir();
        string path = dir.File("out.txt");
        File.WriteAllText(AtomicFile.TemporaryPathOf(path), "half-written leftovers, longer than the new content");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void ASecondProcessWritingTheSameOutputIsRefused()
    {
        if (!File.Exists("/usr/bin/flock")) Assert.Skip("needs util-linux flock");
        using var dir = new TempDir();
        string path = dir.File("out.txt");
        string temporary = AtomicFile.TemporaryPathOf(path);
        File.WriteAllText(temporary, "another writer's work");
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-n", "-o", temporary, "sleep", "20"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            // Wait until the other process holds its lock.
            var until = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < until && !IsLocked(temporary)) Thread.Sleep(20);
            var e = Assert.Throws<OutputBusyException>(() => AtomicFile.Create(path, "--out"));
            Assert.Contains("--out", e.Message);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        // The refused writer neither truncated nor removed the other writer's file.
        Assert.Equal("another writer's work", File.ReadAllText(temporary));
        // Once the holder is gone (its lock dies with it), the output can be written.
        AtomicFile.WriteAllText(path, "mine");
        Assert.Equal("mine", File.ReadAllText(path));
    }

    [Fact]
    public void TextIsFlushedByCommitAndDroppedWithoutIt()
    {
        using var dir = new TempDir();
        string path = dir.File("t.csv");
        using (var file = AtomicFile.Create(path))
        {
            file.Text.WriteLine("a,b");
            file.Text.Write("1,2");
            file.Commit();
        }
        Assert.Equal("a,b\n1,2", File.ReadAllText(path));
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.WriteText(path, w => { w.WriteLine("new"); throw new InvalidOperationException("boom"); }));
        Assert.Equal("a,b\n1,2", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*" + AtomicFile.TemporarySuffix));
    }

    [Fact]
    public void ASecondWriterInTheSameProcessIsRefusedToo()
    {
        using var dir = new TempDir();
        string path = dir.File("out.bin");
        using var first = AtomicFile.Create(path, "--out");
        first.Stream.Write("first"u8);
        var e = Assert.Throws<OutputBusyException>(() => AtomicFile.Create(path, "--out"));
        Assert.Equal(Path.GetFullPath(path), e.OutputPath);
        first.Commit();
        Assert.Equal("first", File.ReadAllText(path));
    }

    private static bool IsLocked(string path)
    {
        var probe = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-n", path, "true"]))!;
        probe.WaitForExit();
        return probe.ExitCode != 0;
    }

    [Fact]
    public void AbandonedTemporariesAreRemovedButALiveWritersIsKept()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("killed.h5.partial"), "half");
        File.WriteAllText(dir.File("done.h5"), "whole");
        using var live = AtomicFile.Create(dir.File("live.h5"));
        live.Stream.Write("being written"u8);
        Assert.Equal(1, AtomicFile.RemoveAbandoned(dir.Path));
        Assert.False(File.Exists(dir.File("killed.h5.partial")));
        Assert.True(File.Exists(dir.File("live.h5.partial")));
        Assert.True(File.Exists(dir.File("done.h5")));
        live.Commit();
        Assert.Equal("being written", File.ReadAllText(dir.File("live.h5")));
        Assert.Equal(0, AtomicFile.RemoveAbandoned(dir.File("no-such-folder")));
    }
}
