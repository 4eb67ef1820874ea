using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace PepLab.Store;

/// <summary>
/// SHA-256 hashes of file contents, as lowercase hex: of one file (a model's weights), and of a
/// set of files (the data a model was trained on). Files are streamed through the hash in 1 MiB
/// blocks, never read whole into memory.
/// </summary>
public static class ContentHash
{
    private const int BlockBytes = 1 << 20;

    /// <summary>The SHA-256 of the bytes of <paramref name="path"/>, as <c>sha256sum</c> prints it.</summary>
    public static string OfFile(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] block = ArrayPool<byte>.Shared.Rent(BlockBytes);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            int n;
            while ((n = stream.Read(block, 0, BlockBytes)) > 0) hash.AppendData(block, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The hash of a set of files, names and contents: the SHA-256 of the lines
    /// <c>{SHA-256 of the file}  {its path relative to root, '/'-separated}\n</c>, one per file in
    /// ordinal order of those paths. That is what <c>sha256sum FILES | sha256sum</c> gives in
    /// <paramref name="root"/>, the files listed in C-locale sort order; the hash changes when a file
    /// is added, removed, renamed or changed, and does not depend on where the folder lies or on the
    /// order the files are given in. Each file is read once (several at a time).
    /// </summary>
    /// <param name="root">The folder the names are relative to (a file: its folder).</param>
    /// <param name="files">The files, each under <paramref name="root"/> (others are named by their path relative to it all the same).</param>
    public static string OfFiles(string root, IEnumerable<string> files)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(root)) root = Path.GetDirectoryName(root)!;
        var named = files
            .Select(f => (Name: Path.GetRelativePath(root, Path.GetFullPath(f)).Replace(Path.DirectorySeparatorChar, '/'), Path: f))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToArray();
        var hashes = new string[named.Length];
        Parallel.For(0, named.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, Environment.ProcessorCount) },
            i => hashes[i] = OfFile(named[i].Path));
        var list = new StringBuilder();
        for (int i = 0; i < named.Length; i++) list.Append(hashes[i]).Append("  ").Append(named[i].Name).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(list.ToString())));
    }
}
