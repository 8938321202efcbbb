using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.Data;

namespace WideMinima.Tests.Data;

[TestClass]
public sealed class IdxFileTests
{
    internal static IdxImages Images(int count, int rows = 4, int columns = 3) =>
        new(count, rows, columns, [.. Enumerable.Range(0, count * rows * columns).Select(i => (byte)(i * 7 % 256))]);

    [TestMethod]
    [DataRow(".gz")]
    [DataRow("")]
    public void Round_trips_images_and_labels_plain_and_gzipped(string extension)
    {
        string dir = TestFolders.New();
        var images = Images(5);
        IdxFile.WriteImages(Path.Combine(dir, "i" + extension), images);
        IdxFile.WriteLabels(Path.Combine(dir, "l" + extension), new byte[] { 0, 1, 2, 1, 0 });
        var back = IdxFile.ReadImages(Path.Combine(dir, "i" + extension));
        Assert.AreEqual(5, back.Count);
        Assert.AreEqual(4, back.Rows);
        Assert.AreEqual(3, back.Columns);
        CollectionAssert.AreEqual(images.Pixels, back.Pixels);
        CollectionAssert.AreEqual(new byte[] { 0, 1, 2, 1, 0 }, IdxFile.ReadLabels(Path.Combine(dir, "l" + extension)));
        Assert.AreEqual(2, IdxFile.ReadImages(Path.Combine(dir, "i" + extension), take: 2).Count);
    }

    [TestMethod]
    public void Bad_magic_is_reported_with_the_file_name()
    {
        string dir = TestFolders.New();
        IdxFile.WriteLabels(Path.Combine(dir, "labels.idx"), new byte[] { 1, 2 });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.ReadImages(Path.Combine(dir, "labels.idx")));
        StringAssert.Contains(e.Message, "labels.idx");
        StringAssert.Contains(e.Message, "bad magic number 0x00000801");
    }

    [TestMethod]
    public void Truncated_data_is_reported_with_what_was_expected()
    {
        string dir = TestFolders.New();
        string path = Path.Combine(dir, "images.idx");
        IdxFile.WriteImages(path, Images(10));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 5)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.ReadImages(path));
        StringAssert.Contains(e.Message, "truncated");
        StringAssert.Contains(e.Message, "10 images of 4 x 3");

        File.WriteAllBytes(path, bytes[..10]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.ReadImages(path)).Message, "header");
    }

    [TestMethod]
    public void Corrupt_gzip_is_reported()
    {
        string dir = TestFolders.New();
        string path = Path.Combine(dir, "images.gz");
        IdxFile.WriteImages(path, Images(50));
        var bytes = File.ReadAllBytes(path);
        for (int i = 20; i < bytes.Length - 10; i += 3) bytes[i] ^= 0x5a;
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.ReadImages(path));
        StringAssert.Contains(e.Message, "images.gz");
    }

    [TestMethod]
    public void Data_view_has_a_key_label_with_class_names_and_scaled_float_features()
    {
        var ml = new MLContext(1);
        var view = IdxDataView.Create(ml, Images(3), [0, 2, 1], ["a", "b", "c"], "test");
        var label = view.Schema["Label"];
        Assert.AreEqual(3UL, ((KeyDataViewType)label.Type).Count);
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        label.Annotations.GetValue("KeyValues", ref names);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, names.DenseValues().Select(n => n.ToString()).ToArray());
        var features = (VectorDataViewType)view.Schema["Features"].Type;
        Assert.AreEqual(12, features.Size);
        CollectionAssert.AreEqual(new[] { 4, 3 }, features.Dimensions.ToArray());
        var first = view.GetColumn<float[]>("Features").First();
        Assert.AreEqual(7 / 255f, first[1], 1e-7);
        CollectionAssert.AreEqual(new uint[] { 1, 3, 2 }, view.GetColumn<uint>("Label").ToArray(), "the column holds 1-based keys");
    }

    [TestMethod]
    public void Count_mismatch_and_labels_out_of_range_fail_clearly()
    {
        var ml = new MLContext(1);
        var e1 = Assert.ThrowsExactly<InvalidDataException>(() => IdxDataView.Create(ml, Images(3), [0, 1], ["a", "b"], "pair"));
        StringAssert.Contains(e1.Message, "3 images but 2 labels");
        var e2 = Assert.ThrowsExactly<InvalidDataException>(() => IdxDataView.Create(ml, Images(3), [0, 1, 7], ["a", "b"], "pair"));
        StringAssert.Contains(e2.Message, "label 7 of example 2 is out of range");
    }

    internal static void WriteDataset(string dir, int train, int test, bool gzip = true)
    {
        string ext = gzip ? ".gz" : "";
        IdxFile.WriteImages(Path.Combine(dir, "train-images-idx3-ubyte" + ext), Images(train, 28, 28));
        IdxFile.WriteLabels(Path.Combine(dir, "train-labels-idx1-ubyte" + ext), [.. Enumerable.Range(0, train).Select(i => (byte)(i % 10))]);
        IdxFile.WriteImages(Path.Combine(dir, "t10k-images-idx3-ubyte" + ext), Images(test, 28, 28));
        IdxFile.WriteLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte" + ext), [.. Enumerable.Range(0, test).Select(i => (byte)(i % 10))]);
    }

    internal static string Sha256OfContent(string path)
    {
        using var stream = IdxFile.Open(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    internal static int ReadCount(string path)
    {
        using var s = IdxFile.Open(path);
        Span<byte> header = stackalloc byte[8];
        s.ReadExactly(header);
        return BinaryPrimitives.ReadInt32BigEndian(header[4..]);
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }
}
