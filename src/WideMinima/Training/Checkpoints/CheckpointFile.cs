using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WideMinima.Schedules;
using static TorchSharp.torch;

namespace WideMinima.Training.Checkpoints;

/// <summary>
/// The one checkpoint file format of WideMinima (sweeps resume from it, the tuner forks from it).
/// </summary>
/// <remarks>
/// Layout, little-endian:
/// <code>
///   8 bytes   magic "WMCKPT\r\n"
///   4 bytes   format version (1)
///   4 bytes   manifest length M
///   M bytes   manifest: UTF-8 JSON (<see cref="CheckpointManifest"/>), listing each tensor's name, type, shape, offset, length
///   ...       data section: the tensors' raw bytes, back to back, in manifest order
///   32 bytes  SHA-256 of every byte before it
/// </code>
/// A file is written to a temporary name in the same folder, flushed to disk and renamed over the target, so a
/// reader sees a whole old file or a whole new one, never half of one. The trailing hash lets a reader detect a
/// truncated or corrupted file on its own; the SHA-256 of the whole file (trailer included) is what ledgers record.
/// </remarks>
public static class CheckpointFile
{
    /// <summary>The current format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>The file name extension checkpoints use.</summary>
    public const string Extension = ".wmckpt";

    private static readonly byte[] Magic = "WMCKPT\r\n"u8.ToArray();
    private const int HeaderLength = 16;
    private const int HashLength = 32;
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Writes <paramref name="tensors"/> with <paramref name="manifest"/> (whose tensor list is filled in here)
    /// atomically to <paramref name="path"/>; returns the SHA-256 of the whole file, lowercase hex, and its size.
    /// </summary>
    public static (string Sha256, long Bytes) Write(string path, CheckpointManifest manifest, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(tensors);
        using var scope = NewDisposeScope();
        var host = new Tensor[tensors.Count];
        var layout = new CheckpointTensor[tensors.Count];
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            host[i] = tensor.detach().cpu().contiguous();
            long length = host[i].bytes.Length;
            layout[i] = new CheckpointTensor(name, host[i].dtype, host[i].shape, offset, length);
            offset += length;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(manifest with { FormatVersion = FormatVersion, Tensors = layout }, ScheduleJson.Options);

        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long bytes;
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            {
                void Put(ReadOnlySpan<byte> data)
                {
                    stream.Write(data);
                    content.AppendData(data);
                    whole.AppendData(data);
                }
                Span<byte> header = stackalloc byte[HeaderLength];
                Magic.CopyTo(header);
                BinaryPrimitives.WriteInt32LittleEndian(header[8..], FormatVersion);
                BinaryPrimitives.WriteInt32LittleEndian(header[12..], json.Length);
                Put(header);
                Put(json);
                foreach (var tensor in host) Put(tensor.bytes);
                byte[] trailer = content.GetHashAndReset();
                stream.Write(trailer);
                whole.AppendData(trailer);
                stream.Flush(flushToDisk: true);
                bytes = stream.Length;
            }
            File.Move(temporary, full, overwrite: true);
            return (Convert.ToHexStringLower(whole.GetHashAndReset()), bytes);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The SHA-256 of the whole file at <paramref name="path"/>, lowercase hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Checks the file at <paramref name="path"/> whole (its trailing hash, and <paramref name="expectedSha256"/>
    /// when given) and reads its manifest only.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, corrupted, not a checkpoint, or not the expected one.</exception>
    public static CheckpointManifest ReadManifest(string path, string? expectedSha256 = null)
    {
        Verify(path, expectedSha256);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        return ReadHead(path, stream).Manifest;
    }

    /// <summary>Checks the file at <paramref name="path"/> as <see cref="ReadManifest"/> does and reads it whole, tensors on the CPU.</summary>
    /// <exception cref="CheckpointException">The file is missing, corrupted, not a checkpoint, or not the expected one.</exception>
    public static LoadedCheckpoint Read(string path, string? expectedSha256 = null)
    {
        string sha = Verify(path, expectedSha256);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        var (manifest, dataStart) = ReadHead(path, stream);
        long dataLength = stream.Length - HashLength - dataStart;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            byte[] buffer = [];
            foreach (var entry in manifest.Tensors)
            {
                if (entry.Offset < 0 || entry.Length < 0 || entry.Offset + entry.Length > dataLength || entry.Length > int.MaxValue)
                    throw new CheckpointException(path, $"tensor '{entry.Name}' lies outside the data section.");
                if (buffer.Length < entry.Length) buffer = new byte[entry.Length];
                stream.Position = dataStart + entry.Offset;
                stream.ReadExactly(buffer, 0, (int)entry.Length);
                var tensor = empty(entry.Shape, entry.DType).DetachFromDisposeScope();
                tensors.Add(entry.Name, tensor);
                if (tensor.bytes.Length != entry.Length)
                    throw new CheckpointException(path, $"tensor '{entry.Name}' has {entry.Length} bytes, but its shape and type need {tensor.bytes.Length}.");
                tensor.bytes = buffer.AsSpan(0, (int)entry.Length);
            }
            return new LoadedCheckpoint(path, sha, manifest, tensors);
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>Checks the trailing hash and, when given, the whole file's SHA-256; returns the latter.</summary>
    private static string Verify(string path, string? expectedSha256)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "the file is missing.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        if (stream.Length < HeaderLength + HashLength) throw new CheckpointException(path, $"the file is too short ({stream.Length} bytes) to be a checkpoint.");
        using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long remaining = stream.Length - HashLength;
        byte[] buffer = new byte[BufferSize];
        while (remaining > 0)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0) throw new CheckpointException(path, "the file ended early.");
            content.AppendData(buffer, 0, read);
            whole.AppendData(buffer, 0, read);
            remaining -= read;
        }
        byte[] trailer = new byte[HashLength];
        stream.ReadExactly(trailer);
        whole.AppendData(trailer);
        string sha = Convert.ToHexStringLower(whole.GetHashAndReset());
        if (!content.GetHashAndReset().AsSpan().SequenceEqual(trailer))
            throw new CheckpointException(path, "its SHA-256 does not match its contents: the file is truncated or corrupted.");
        if (expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException(path, $"its SHA-256 is {sha}, but {expectedSha256} was recorded: the file was replaced or corrupted.");
        return sha;
    }

    private static (CheckpointManifest Manifest, long DataStart) ReadHead(string path, FileStream stream)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        stream.Position = 0;
        stream.ReadExactly(header);
        if (!header[..8].SequenceEqual(Magic)) throw new CheckpointException(path, "not a WideMinima checkpoint (wrong magic bytes).");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != FormatVersion)
            throw new CheckpointException(path, $"format version {version}, but this build reads version {FormatVersion}.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (length <= 0 || HeaderLength + (long)length + HashLength > stream.Length)
            throw new CheckpointException(path, $"manifest length {length} does not fit the file.");
        byte[] json = new byte[length];
        stream.ReadExactly(json);
        try
        {
            var manifest = JsonSerializer.Deserialize<CheckpointManifest>(json, ScheduleJson.Options)
                ?? throw new CheckpointException(path, "the manifest is 'null'.");
            return (manifest, HeaderLength + length);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"the manifest is not valid: {e.Message}", e);
        }
    }
}

/// <summary>A checkpoint read into memory: its manifest and its tensors (on the CPU, owned by this object).</summary>
public sealed class LoadedCheckpoint : IDisposable
{
    internal LoadedCheckpoint(string path, string sha256, CheckpointManifest manifest, Dictionary<string, Tensor> tensors)
    {
        Path = path;
        Sha256 = sha256;
        Manifest = manifest;
        _tensors = tensors;
    }

    private readonly Dictionary<string, Tensor> _tensors;

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The whole file's SHA-256, lowercase hex.</summary>
    public string Sha256 { get; }

    /// <summary>The manifest.</summary>
    public CheckpointManifest Manifest { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>The tensor named <paramref name="name"/>; a clear error when it is missing.</summary>
    public Tensor Get(string name) => _tensors.TryGetValue(name, out var tensor) ? tensor
        : throw new CheckpointException(Path, $"tensor '{name}' is missing.");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
    }
}
