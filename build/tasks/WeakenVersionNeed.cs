#nullable enable
// Marks one symbol-version requirement of an ELF shared library as weak (VER_FLG_WEAK in .gnu.version_r).
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked with GCC 13, whose <iostream> references
// std::ios_base_library_init() and thereby adds a hard requirement on GLIBCXX_3.4.32. Debian 12 and
// Ubuntu 22.04 ship libstdc++ up to GLIBCXX_3.4.30, so the loader refuses the library, although nothing
// ever calls that symbol. A weak version requirement makes the loader accept a libstdc++ without it;
// the symbol is bound lazily (no BIND_NOW), so it is never resolved.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory into the build task (see
// build/WideMinima.NativeLoad.targets), and into the unit tests with WIDEMINIMA_NO_MSBUILD defined,
// which test the ELF logic on its own. Keep it to plain C# that both compilers accept.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WideMinima.Build
{
    /// <summary>What <see cref="ElfVersionNeeds.Weaken"/> did to a library.</summary>
    public enum WeakenOutcome
    {
        /// <summary>The requirement was strong and is now weak.</summary>
        Weakened,
        /// <summary>The requirement was weak already (an earlier build patched this copy).</summary>
        AlreadyWeak,
        /// <summary>The library does not require that version at all.</summary>
        NotRequired,
    }

    /// <summary>Reads and edits the GNU version-needs table of a little-endian ELF64 file, in memory.</summary>
    public static class ElfVersionNeeds
    {
        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>One (file, version) requirement: e.g. libstdc++.so.6 needs GLIBCXX_3.4.32.</summary>
        public sealed class Requirement
        {
            public string File { get; set; } = "";
            public string Version { get; set; } = "";
            public ushort Flags { get; set; }
            /// <summary>The version index symbols refer to (vna_other).</summary>
            public ushort Index { get; set; }
            /// <summary>Byte offset of this entry's vna_flags field in the file.</summary>
            public int FlagsOffset { get; set; }
            public bool IsWeak { get { return (Flags & VerFlgWeak) != 0; } }
        }

        /// <summary>All version requirements in the file's .gnu.version_r section.</summary>
        public static List<Requirement> Read(byte[] elf)
        {
            var sections = Sections(elf);
            var result = new List<Requirement>();
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerneed) continue;
                var strtab = sections[(int)s.Link];
                int entry = (int)s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort count = U16(elf, entry + 2);
                    string file = Str(elf, strtab, U32(elf, entry + 4));
                    int aux = entry + (int)U32(elf, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        result.Add(new Requirement
                        {
                            File = file,
                            Flags = U16(elf, aux + 4),
                            Index = U16(elf, aux + 6),
                            Version = Str(elf, strtab, U32(elf, aux + 8)),
                            FlagsOffset = aux + 4,
                        });
                        aux += (int)U32(elf, aux + 12);
                    }
                    uint next = U32(elf, entry + 12);
                    if (next == 0) break;
                    entry += (int)next;
                }
            }
            return result;
        }

        /// <summary>Names of the dynamic symbols bound to the version with index <paramref name="versionIndex"/>.</summary>
        public static List<string> SymbolsNeeding(byte[] elf, ushort versionIndex)
        {
            var sections = Sections(elf);
            var names = new List<string>();
            Section? versym = null, dynsym = null;
            foreach (var s in sections)
            {
                if (s.Type == ShtGnuVersym) versym = s;
                if (s.Type == ShtDynsym) dynsym = s;
            }
            if (versym == null || dynsym == null) return names;
            var dynstr = sections[(int)dynsym.Link];
            long count = (long)(dynsym.Size / 24);
            for (long i = 0; i < count; i++)
            {
                ushort v = (ushort)(U16(elf, (int)(versym.Offset + (ulong)(2 * i))) & 0x7fff);
                if (v != versionIndex) continue;
                uint nameOffset = U32(elf, (int)(dynsym.Offset + (ulong)(24 * i)));
                names.Add(Str(elf, dynstr, nameOffset));
            }
            return names;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> from <paramref name="file"/>,
        /// provided that exactly the symbols in <paramref name="allowedSymbols"/> use it: weakening a version
        /// that real, called symbols need would only move the failure from load time to call time.
        /// </summary>
        public static WeakenOutcome Weaken(byte[] elf, string file, string version, ICollection<string> allowedSymbols)
        {
            foreach (var r in Read(elf))
            {
                if (r.File != file || r.Version != version) continue;
                if (r.IsWeak) return WeakenOutcome.AlreadyWeak;
                var users = SymbolsNeeding(elf, r.Index);
                foreach (var u in users)
                {
                    if (!allowedSymbols.Contains(u))
                        throw new InvalidDataException(
                            "Refusing to weaken " + version + ": symbol '" + u + "' needs it and may be called.");
                }
                ushort flags = (ushort)(r.Flags | VerFlgWeak);
                elf[r.FlagsOffset] = (byte)(flags & 0xff);
                elf[r.FlagsOffset + 1] = (byte)(flags >> 8);
                return WeakenOutcome.Weakened;
            }
            return WeakenOutcome.NotRequired;
        }

        /// <summary>True when a library file (e.g. the system libstdc++) defines <paramref name="version"/>.</summary>
        public static bool DefinesVersion(byte[] library, string version)
        {
            // Version definitions live in .gnu.version_d's string table; a NUL-terminated match of the
            // exact name is enough to tell, and avoids parsing a second table format.
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 1; i + needle.Length <= library.Length; i++)
            {
                if (library[i - 1] != 0) continue;
                bool match = true;
                for (int j = 0; j < needle.Length && match; j++) match = library[i + j] == needle[j];
                if (match) return true;
            }
            return false;
        }

        private sealed class Section
        {
            public uint Type;
            public ulong Offset;
            public ulong Size;
            public uint Link;
            public uint Info;
        }

        private static List<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("Not an ELF file.");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("Only little-endian 64-bit ELF files are supported.");
            ulong shoff = U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3A);
            ushort shnum = U16(elf, 0x3C);
            if (shoff == 0 || shentsize < 64 || shoff + (ulong)shentsize * shnum > (ulong)elf.Length)
                throw new InvalidDataException("ELF section header table is missing or truncated.");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                int h = (int)shoff + i * shentsize;
                var s = new Section
                {
                    Type = U32(elf, h + 4),
                    Offset = U64(elf, h + 0x18),
                    Size = U64(elf, h + 0x20),
                    Link = U32(elf, h + 0x28),
                    Info = U32(elf, h + 0x2C),
                };
                if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > (ulong)elf.Length)
                    throw new InvalidDataException("ELF section " + i + " lies outside the file.");
                list.Add(s);
            }
            return list;
        }

        private static string Str(byte[] elf, Section strtab, uint offset)
        {
            int start = (int)(strtab.Offset + offset);
            int end = start;
            while (end < elf.Length && elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, start, end - start);
        }

        private static ushort U16(byte[] b, int o) { return (ushort)(b[o] | (b[o + 1] << 8)); }
        private static uint U32(byte[] b, int o) { return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)); }
        private static ulong U64(byte[] b, int o) { return U32(b, o) | ((ulong)U32(b, o + 4) << 32); }
    }

    /// <summary>Finds the libstdc++ the dynamic loader would pick on this machine.</summary>
    public static class SystemLibraries
    {
        private static readonly string[] Directories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib",
        };

        /// <summary>The first libstdc++.so.6 on LD_LIBRARY_PATH or in the standard directories, or null.</summary>
        public static string? FindLibStdCxx()
        {
            var dirs = new List<string>();
            string? ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld!.Split(':'));
            dirs.AddRange(Directories);
            foreach (var d in dirs)
            {
                if (d.Length == 0) continue;
                string path = Path.Combine(d, "libstdc++.so.6");
                if (File.Exists(path)) return path;
            }
            return null;
        }
    }

#if !WIDEMINIMA_NO_MSBUILD
    /// <summary>MSBuild task: weakens the GLIBCXX requirement in the build-output copies of a native library.</summary>
    public sealed class WeakenVersionNeedTask : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
        [Microsoft.Build.Framework.Required] public string NeededFile { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string AllowedSymbols { get; set; } = "";
        /// <summary>auto: only where the system libstdc++ lacks the version; always; never.</summary>
        public string Mode { get; set; } = "auto";
        /// <summary>
        /// The libstdc++ that auto mode checks; empty: the one the loader would pick on this machine
        /// (<see cref="SystemLibraries.FindLibStdCxx"/>). Set it to decide for another machine than the build machine.
        /// </summary>
        public string SystemLibrary { get; set; } = "";

        public override bool Execute()
        {
            // MSBuild compares property values without regard to case; so does this.
            string mode = Mode.ToLowerInvariant();
            if (mode != "auto" && mode != "always" && mode != "never")
            {
                Log.LogError("WideMinimaWeakenGlibcxx must be auto, always or never; got '" + Mode + "'.");
                return false;
            }
            if (mode == "never") return true;
            if (mode == "auto")
            {
                string? system = SystemLibrary.Length > 0 ? SystemLibrary : SystemLibraries.FindLibStdCxx();
                if (SystemLibrary.Length > 0 && !File.Exists(SystemLibrary))
                {
                    Log.LogError("WideMinimaLibStdCxx: no file at '" + SystemLibrary + "'.");
                    return false;
                }
                if (system != null && ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(system), Version))
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                        "WideMinima: " + system + " defines " + Version + "; TorchSharp loads as shipped, nothing to do.");
                    return true;
                }
            }
            var allowed = new HashSet<string>(AllowedSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var item in Libraries)
            {
                string path = item.ItemSpec;
                byte[] elf = File.ReadAllBytes(path);
                WeakenOutcome outcome;
                try
                {
                    outcome = ElfVersionNeeds.Weaken(elf, NeededFile, Version, allowed);
                }
                catch (InvalidDataException e)
                {
                    Log.LogWarning("WideMinima: left " + path + " unchanged: " + e.Message);
                    continue;
                }
                if (outcome != WeakenOutcome.Weakened)
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "WideMinima: " + path + ": " + outcome);
                    continue;
                }
                // Write a new file and rename it over the old one: the output copy may be a hard link
                // into the NuGet cache, which must never change.
                string temp = path + ".wideminima.tmp";
                File.WriteAllBytes(temp, elf);
                File.Delete(path);
                File.Move(temp, path);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                    "WideMinima: marked " + Version + " weak in " + path + " (system libstdc++ lacks it).");
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
