// Marks one version requirement of an ELF shared library as weak (VER_FLG_WEAK), so the dynamic
// loader accepts a system library that lacks that version. PepLab uses it for TorchSharp's
// libLibTorchSharp.so, which asks libstdc++.so.6 for GLIBCXX_3.4.32 only because GCC 13 headers
// emit a reference to the dummy symbol _ZSt21ios_base_library_initv; Debian 12's libstdc++ stops
// at GLIBCXX_3.4.30. See docs/troubleshooting.md.
//
// This one file is compiled twice: by MSBuild's RoslynCodeTaskFactory (build/TorchSharpGlibcxx.targets),
// which includes the task class at the bottom, and by the test project with
// PEPLAB_ELF_PATCHER_NO_MSBUILD defined, which tests the ELF logic alone.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace PepLab.Build
{
    /// <summary>One version requirement read from an ELF file's .gnu.version_r section.</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The library the requirement is on (vn_file), e.g. libstdc++.so.6.</summary>
        public string File { get; }

        /// <summary>The version name (vna_name), e.g. GLIBCXX_3.4.32.</summary>
        public string Version { get; }

        /// <summary>vna_flags; bit 0x2 is VER_FLG_WEAK.</summary>
        public ushort Flags { get; }

        /// <summary>Byte offset of vna_flags in the file.</summary>
        public long FlagsOffset { get; }

        public bool IsWeak { get { return (Flags & ElfVersionNeedPatcher.VerFlagWeak) != 0; } }
    }

    /// <summary>Reads and patches the version-need entries of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeedPatcher
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>All version requirements of the ELF image in <paramref name="image"/>.</summary>
        public static List<ElfVersionNeed> Read(byte[] image)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (image[4] != 2) throw new InvalidDataException("not a 64-bit ELF file");
            if (image[5] != 1) throw new InvalidDataException("not a little-endian ELF file");
            long shoff = (long)U64(image, 0x28);
            int shentsize = U16(image, 0x3A);
            int shnum = U16(image, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shnum == 0 || shoff + (long)shentsize * shnum > image.Length)
                throw new InvalidDataException("ELF section headers are missing or truncated");

            var result = new List<ElfVersionNeed>();
            for (int s = 0; s < shnum; s++)
            {
                long sh = shoff + (long)s * shentsize;
                if (U32(image, sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)U64(image, sh + 0x18);
                long size = (long)U64(image, sh + 0x20);
                int link = (int)U32(image, sh + 0x28);
                uint count = U32(image, sh + 0x2C);
                if (link >= shnum || offset + size > image.Length)
                    throw new InvalidDataException(".gnu.version_r points outside the file");
                long strSh = shoff + (long)link * shentsize;
                long strOffset = (long)U64(image, strSh + 0x18);
                long strSize = (long)U64(image, strSh + 0x20);

                long vn = offset;
                for (uint i = 0; i < count; i++)
                {
                    Check(image, vn, 16, offset, size);
                    int auxCount = U16(image, vn + 2);
                    string file = Str(image, strOffset, strSize, U32(image, vn + 4));
                    long aux = vn + U32(image, vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        Check(image, aux, 16, offset, size);
                        ushort flags = (ushort)U16(image, aux + 4);
                        string version = Str(image, strOffset, strSize, U32(image, aux + 8));
                        result.Add(new ElfVersionNeed(file, version, flags, aux + 4));
                        uint nextAux = U32(image, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(image, vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement of <paramref name="file"/> for <paramref name="version"/>
        /// in the image. Returns true when the image changed, false when the flag was already set.
        /// Throws when the image has no such requirement.
        /// </summary>
        public static bool MakeWeak(byte[] image, string file, string version)
        {
            foreach (var need in Read(image))
            {
                if (need.File != file || need.Version != version) continue;
                if (need.IsWeak) return false;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                image[need.FlagsOffset] = (byte)(flags & 0xff);
                image[need.FlagsOffset + 1] = (byte)(flags >> 8);
                return true;
            }
            throw new InvalidDataException("no version requirement " + version + " on " + file);
        }

        /// <summary>
        /// Patches the file at <paramref name="path"/> in place (through a temporary copy and a rename,
        /// keeping its timestamp). Returns true when it changed, false when it was already weak or
        /// does not ask for the version at all.
        /// </summary>
        public static bool PatchFile(string path, string file, string version)
        {
            byte[] image = System.IO.File.ReadAllBytes(path);
            bool asks = false;
            foreach (var need in Read(image))
                if (need.File == file && need.Version == version) asks = true;
            if (!asks || !MakeWeak(image, file, version)) return false;
            DateTime stamp = System.IO.File.GetLastWriteTimeUtc(path);
            string temporary = path + ".peplab-patch";
            System.IO.File.WriteAllBytes(temporary, image);
            System.IO.File.SetLastWriteTimeUtc(temporary, stamp);
            System.IO.File.Delete(path);
            System.IO.File.Move(temporary, path);
            return true;
        }

        /// <summary>True when the bytes of a library contain the version name (as its .dynstr does for each version it defines).</summary>
        public static bool DefinesVersion(string libraryPath, string version)
        {
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            byte[] data = System.IO.File.ReadAllBytes(libraryPath);
            return IndexOf(data, needle) >= 0;
        }

        /// <summary>
        /// The libstdc++.so.6 the dynamic loader would pick, from ldconfig's cache, then the usual
        /// library folders; null when none is found.
        /// </summary>
        public static string? FindSystemLibrary(string soname)
        {
            foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
            {
                if (!System.IO.File.Exists(ldconfig)) continue;
                try
                {
                    var psi = new System.Diagnostics.ProcessStartInfo(ldconfig, "-p")
                    {
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                        UseShellExecute = false,
                    };
                    using (var p = System.Diagnostics.Process.Start(psi)!)
                    {
                        string output = p.StandardOutput.ReadToEnd();
                        p.WaitForExit(10000);
                        foreach (var raw in output.Split('\n'))
                        {
                            string line = raw.Trim();
                            if (!line.StartsWith(soname + " ", StringComparison.Ordinal)) continue;
                            if (line.Contains("x86-64") != (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)) continue;
                            int arrow = line.IndexOf("=> ", StringComparison.Ordinal);
                            if (arrow < 0) continue;
                            string candidate = line.Substring(arrow + 3).Trim();
                            if (System.IO.File.Exists(candidate)) return candidate;
                        }
                    }
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is IOException || e is InvalidOperationException)
                {
                }
            }
            foreach (var folder in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" })
            {
                string candidate = Path.Combine(folder, soname);
                if (System.IO.File.Exists(candidate)) return candidate;
            }
            return null;
        }

        private static int IndexOf(byte[] data, byte[] needle)
        {
            int last = data.Length - needle.Length;
            byte first = needle[0];
            for (int i = Array.IndexOf(data, first, 0); i >= 0 && i <= last; i = Array.IndexOf(data, first, i + 1))
            {
                int k = 1;
                while (k < needle.Length && data[i + k] == needle[k]) k++;
                if (k == needle.Length) return i;
            }
            return -1;
        }

        private static void Check(byte[] image, long at, int length, long sectionOffset, long sectionSize)
        {
            if (at < sectionOffset || at + length > sectionOffset + sectionSize || at + length > image.Length)
                throw new InvalidDataException(".gnu.version_r entry runs outside its section");
        }

        private static string Str(byte[] image, long strOffset, long strSize, uint index)
        {
            long start = strOffset + index;
            if (index >= strSize || start >= image.Length) throw new InvalidDataException("string index outside .dynstr");
            long end = start;
            while (end < image.Length && end < strOffset + strSize && image[end] != 0) end++;
            return Encoding.ASCII.GetString(image, (int)start, (int)(end - start));
        }

        private static int U16(byte[] b, long at) { return b[at] | (b[at + 1] << 8); }

        private static uint U32(byte[] b, long at) { return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)); }

        private static ulong U64(byte[] b, long at) { return U32(b, at) | ((ulong)U32(b, at + 4) << 32); }
    }

#if !PEPLAB_ELF_PATCHER_NO_MSBUILD
    /// <summary>
    /// MSBuild task: for each given libLibTorchSharp.so, when the system libstdc++ lacks the version,
    /// marks the library's requirement of it weak. Files that do not exist are skipped.
    /// </summary>
    public sealed class PatchElfVersionNeed : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public string Library { get; set; } = "libstdc++.so.6";

        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return true;
            var existing = new List<string>();
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                if (System.IO.File.Exists(path) && !existing.Contains(path)) existing.Add(path);
            }
            if (existing.Count == 0) return true;
            string? system = ElfVersionNeedPatcher.FindSystemLibrary(Library);
            if (system == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "PepLab: no system " + Library + " found; TorchSharp's native library left as it is");
                return true;
            }
            if (ElfVersionNeedPatcher.DefinesVersion(system, Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "PepLab: " + system + " has " + Version + "; nothing to patch");
                return true;
            }
            foreach (var path in existing)
            {
                try
                {
                    if (ElfVersionNeedPatcher.PatchFile(path, Library, Version))
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            "PepLab: " + system + " lacks " + Version + "; marked that requirement weak in " + path + " (see docs/troubleshooting.md)");
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning("PepLab: could not patch " + path + ": " + e.Message + " (loading TorchSharp may fail; see docs/troubleshooting.md)");
                }
            }
            return true;
        }
    }
#endif
}
