using Microsoft.ML;
using Microsoft.ML.Data;

namespace WideMinima.Data;

/// <summary>
/// Turns IDX images and labels into an ML.NET <see cref="IDataView"/> with a <c>Label</c> column (key type,
/// one key per class, class names as key values) and a <c>Features</c> column (<c>vector&lt;float&gt;</c> of
/// rows x columns pixels, scaled from 0..255 to 0..1, row-major).
/// </summary>
public static class IdxDataView
{
    /// <summary>Name of the label column.</summary>
    public const string LabelColumn = "Label";

    /// <summary>Name of the features column.</summary>
    public const string FeaturesColumn = "Features";

    private sealed class Row
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    /// <summary>Builds the data view; labels must be below the class count, and there must be one label per image.</summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="images">The images.</param>
    /// <param name="labels">One label (0-based class index) per image.</param>
    /// <param name="classNames">One name per class; their count is the class count.</param>
    /// <param name="source">Names the data in error messages.</param>
    public static IDataView Create(MLContext ml, IdxImages images, byte[] labels, IReadOnlyList<string> classNames, string source)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Create(ml, images.Pixels, images.Count, [images.Rows, images.Columns], labels, classNames, source);
    }

    /// <summary>
    /// Builds the data view from <paramref name="count"/> images of bytes in row-major order with the given
    /// dimensions (e.g. [28, 28], or [3, 32, 32] for channels-first colour images).
    /// </summary>
    public static IDataView Create(MLContext ml, byte[] pixels, int count, int[] dimensions, byte[] labels, IReadOnlyList<string> classNames, string source)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (count != labels.Length)
            throw new InvalidDataException($"{source}: {count} images but {labels.Length} labels; the two files must describe the same examples.");
        int classes = classNames.Count;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
                throw new InvalidDataException($"{source}: label {labels[i]} of example {i} is out of range; there are {classes} classes (0..{classes - 1}).");
        }

        int size = dimensions.Aggregate(1, (a, b) => a * b);
        var rows = new Row[count];
        for (int i = 0; i < rows.Length; i++)
        {
            var features = new float[size];
            var source_pixels = pixels.AsSpan(i * size, size);
            for (int j = 0; j < size; j++) features[j] = source_pixels[j] / 255f;
            rows[i] = new Row { Label = labels[i], Features = features }; // ML.NET's row objects hold keys 0-based; the column holds them 1-based.
        }

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        var label = schema[nameof(Row.Label)];
        label.ColumnType = new KeyDataViewType(typeof(uint), classes);
        var names = new VBuffer<ReadOnlyMemory<char>>(classes, [.. classNames.Select(n => n.AsMemory())]);
        label.AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, classes));
        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}
