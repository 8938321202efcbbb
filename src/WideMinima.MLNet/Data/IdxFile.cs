using System.Buffers.Binary;
using System.IO.Compression;

namespace WideMinima.Data;

/// <summary>Images from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> bytes, row-major.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>Pixels per image.</summary>
    public int PixelsPerImage => Rows * Columns;
}

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (big-endian header: magic 0x00000803 for images with
/// count, rows and columns; 0x00000801 for labels with count), plain or gzip-compressed.
/// Every malformed file fails with <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </summary>
public static class IdxFile
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file; <paramref name="take"/> limits how many images are read.</summary>
    public static IdxImages ReadImages(string path, int? take = null)
    {
        using var stream = Open(path);
        return ReadImages(stream, Path.GetFileName(path), take);
    }

    /// <summary>Reads a label file; <paramref name="take"/> limits how many labels are read.</summary>
    public static byte[] ReadLabels(string path, int? take = null)
    {
        using var stream = Open(path);
        return ReadLabels(stream, Path.GetFileName(path), take);
    }

    /// <summary>Reads images from a stream; <paramref name="source"/> names it in errors.</summary>
    public static IdxImages ReadImages(Stream stream, string source, int? take = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[16];
        // The magic number first: a wrong kind of file is named as such, not as a short header.
        ReadExactly(stream, header[..4], source, "the 4-byte magic number");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ImagesMagic)
            throw new InvalidDataException($"{source}: bad magic number 0x{magic:x8}; an IDX image file starts with 0x{ImagesMagic:x8}.");
        ReadExactly(stream, header[4..], source, "the rest of the 16-byte image header");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count < 0 || rows <= 0 || columns <= 0 || (long)rows * columns > 1 << 24)
            throw new InvalidDataException($"{source}: implausible image header (count {count}, {rows} x {columns}).");
        int n = take is int t ? Math.Min(Math.Max(t, 0), count) : count;
        long bytes = (long)n * rows * columns;
        if (bytes > Array.MaxLength) throw new InvalidDataException($"{source}: {n} images of {rows} x {columns} do not fit in memory at once.");
        var pixels = new byte[bytes];
        ReadExactly(stream, pixels, source, $"{n} images of {rows} x {columns} pixels ({bytes} bytes) as the header promises");
        return new IdxImages(n, rows, columns, pixels);
    }

    /// <summary>Reads labels from a stream; <paramref name="source"/> names it in errors.</summary>
    public static byte[] ReadLabels(Stream stream, string source, int? take = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[8];
        ReadExactly(stream, header[..4], source, "the 4-byte magic number");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != LabelsMagic)
            throw new InvalidDataException($"{source}: bad magic number 0x{magic:x8}; an IDX label file starts with 0x{LabelsMagic:x8}.");
        ReadExactly(stream, header[4..], source, "the rest of the 8-byte label header");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (count < 0) throw new InvalidDataException($"{source}: negative label count {count}.");
        int n = take is int t ? Math.Min(Math.Max(t, 0), count) : count;
        var labels = new byte[n];
        ReadExactly(stream, labels, source, $"{n} labels as the header promises");
        return labels;
    }

    /// <summary>Writes images as IDX (gzip when the path ends in .gz): used for subsets and test data.</summary>
    public static void WriteImages(string path, IdxImages images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var stream = Create(path);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], images.Count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], images.Rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], images.Columns);
        stream.Write(header);
        stream.Write(images.Pixels, 0, images.Count * images.PixelsPerImage);
    }

    /// <summary>Writes labels as IDX (gzip when the path ends in .gz).</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels)
    {
        using var stream = Create(path);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        stream.Write(header);
        stream.Write(labels);
    }

    /// <summary>Opens a file for reading, decompressing it when it starts with the gzip signature.</summary>
    public static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        file.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static Stream Create(string path)
    {
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.SmallestSize) : file;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer[read..]);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: corrupt gzip data after {read} bytes ({e.Message}).", e);
        }
        if (read < buffer.Length)
            throw new InvalidDataException($"{source}: truncated; expected {what}, but the file ended after {read} of {buffer.Length} bytes.");
    }
}
