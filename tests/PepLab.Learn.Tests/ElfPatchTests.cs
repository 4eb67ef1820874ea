using PepLab.Build;

namespace PepLab.Learn.Tests;

/// <summary>
/// The build's patch of TorchSharp's libLibTorchSharp.so (build/ElfVersionNeedPatcher.cs): marks
/// the GLIBCXX_3.4.32 requirement weak where the system libstdc++ lacks that version.
/// </summary>
public class ElfPatchTests
{
    private const string Library = "libstdc++.so.6";
    private const string Version = "GLIBCXX_3.4.32";

    private static string OutputCopy()
    {
        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
                     Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
                 })
            if (File.Exists(candidate)) return candidate;
        if (!OperatingSystem.IsLinux()) Assert.Skip("TorchSharp's native library is an ELF file on Linux only");
        Assert.Fail("libLibTorchSharp.so is not in the test output folder");
        return "";
    }

    [Fact]
    public void PatchSetsOnlyTheWeakFlagOfThatOneRequirement()
    {
        using var dir = new TempDir();
        string copy = dir.File("libLibTorchSharp.so");
        File.Copy(OutputCopy(), copy);
        byte[] image = File.ReadAllBytes(copy);
        var needs = ElfVersionNeedPatcher.Read(image);
        Assert.Contains(needs, n => n.File == "libc.so.6" && n.Version == "GLIBC_2.2.5");
        var target = Assert.Single(needs, n => n.File == Library && n.Version == Version);

        // Start from the package's state (flag clear), whatever this machine's build did.
        image[target.FlagsOffset] = (byte)(target.Flags & ~ElfVersionNeedPatcher.VerFlagWeak);
        var original = (byte[])image.Clone();
        Assert.False(ElfVersionNeedPatcher.Read(original).Single(n => n.Version == Version).IsWeak);

        Assert.True(ElfVersionNeedPatcher.MakeWeak(image, Library, Version));
        var after = ElfVersionNeedPatcher.Read(image);
        Assert.True(after.Single(n => n.Version == Version).IsWeak);
        // Exactly one byte changed, by the weak bit; every other requirement is as it was.
        var changed = Enumerable.Range(0, image.Length).Where(i => image[i] != original[i]).ToList();
        Assert.Equal([(int)target.FlagsOffset], changed);
        Assert.Equal(ElfVersionNeedPatcher.VerFlagWeak, image[target.FlagsOffset] ^ original[target.FlagsOffset]);
        Assert.Equal(needs.Where(n => n.Version != Version).Select(n => (n.File, n.Version, n.Flags)),
            after.Where(n => n.Version != Version).Select(n => (n.File, n.Version, n.Flags)));
        // Idempotent.
        Assert.False(ElfVersionNeedPatcher.MakeWeak(image, Library, Version));

        // On a file: in place, timestamp kept.
        File.WriteAllBytes(copy, original);
        var stamp = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(copy, stamp);
        Assert.True(ElfVersionNeedPatcher.PatchFile(copy, Library, Version));
        Assert.Equal(image, File.ReadAllBytes(copy));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));
        Assert.False(ElfVersionNeedPatcher.PatchFile(copy, Library, Version));
        Assert.False(ElfVersionNeedPatcher.PatchFile(copy, Library, "GLIBCXX_9.9.9")); // not asked for: left alone
        Assert.Empty(Directory.GetFiles(dir.Path, "*.peplab-patch"));
    }

    [Fact]
    public void TheBuildPatchedTheOutputExactlyWhereTheSystemLacksTheVersion()
    {
        string output = OutputCopy();
        string? system = ElfVersionNeedPatcher.FindSystemLibrary(Library);
        if (system is null) Assert.Skip($"no system {Library} found");
        bool systemHasIt = ElfVersionNeedPatcher.DefinesVersion(system, Version);
        bool weak = ElfVersionNeedPatcher.Read(File.ReadAllBytes(output)).Single(n => n.Version == Version).IsWeak;
        Assert.Equal(!systemHasIt, weak);
        // And TorchSharp loads from this output folder.
        using var t = TorchSharp.torch.ones(2, 2);
        Assert.Equal(4f, t.sum().item<float>());
    }

    [Theory]
    [InlineData(null, null, TorchRuntime.DefaultSpinCount)]
    [InlineData("300000", null, null)]
    [InlineData(null, "PASSIVE", null)]
    [InlineData(null, "ACTIVE", null)]
    [InlineData("5", "ACTIVE", null)]
    public void OpenMpSpinsBrieflyUnlessTheUserChose(string? spinCount, string? waitPolicy, string? expected) =>
        Assert.Equal(expected, TorchRuntime.SpinCountToSet(spinCount, waitPolicy));

    [Fact]
    public void ThisProcessHasTheSpinCountItsEnvironmentCallsFor()
    {
        TorchRuntime.Initialise();
        if (!OperatingSystem.IsLinux()) Assert.Skip("PepLab sets GOMP_SPINCOUNT on Linux only");
        string? spin = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        string? policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        if (policy is not null)
        {
            // The user chose a wait policy: PepLab left GOMP_SPINCOUNT alone, so it is unset or the
            // user's own value, never PepLab's unless the user typed exactly that.
            Assert.Null(TorchRuntime.SpinCountToSet(spin, policy));
            if (spin == TorchRuntime.DefaultSpinCount)
                Assert.Skip($"GOMP_SPINCOUNT={spin} and OMP_WAIT_POLICY={policy} were both set by the user: nothing to tell apart");
            Assert.NotEqual(TorchRuntime.DefaultSpinCount, spin);
            return;
        }
        // No wait policy: GOMP_SPINCOUNT is set, to PepLab's value unless the user set another.
        Assert.NotNull(spin);
    }

    [Fact]
    public void NonElfInputIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Read(new byte[100]));
        var elf32 = new byte[100];
        elf32[0] = 0x7f; elf32[1] = (byte)'E'; elf32[2] = (byte)'L'; elf32[3] = (byte)'F'; elf32[4] = 1;
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Read(elf32));
    }

    [Fact]
    public void LibstdcxxVersionsAreFoundByName()
    {
        using var dir = new TempDir();
        string fake = dir.File("libfake.so");
        File.WriteAllBytes(fake, [.. "xxGLIBCXX_3.4.30\0GLIBCXX_3.4.3\0yy"u8]);
        Assert.True(ElfVersionNeedPatcher.DefinesVersion(fake, "GLIBCXX_3.4.30"));
        Assert.True(ElfVersionNeedPatcher.DefinesVersion(fake, "GLIBCXX_3.4.3"));
        Assert.False(ElfVersionNeedPatcher.DefinesVersion(fake, "GLIBCXX_3.4.32"));
    }
}
