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
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{source}: {images.Count} images but {labels.Length} labels; the two files must describe the same examples.");
        int classes = classNames.Count;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
                throw new InvalidDataException($"{source}: label {labels[i]} of example {i} is out of range; there are {classes} classes (0..{classes - 1}).");
        }

        int size = images.PixelsPerImage;
        var rows = new Row[images.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            var features = new float[size];
            var pixels = images.Pixels.AsSpan(i * size, size);
            for (int j = 0; j < size; j++) features[j] = pixels[j] / 255f;
            rows[i] = new Row { Label = labels[i], Features = features }; // ML.NET's row objects hold keys 0-based; the column holds them 1-based.
        }

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, images.Rows, images.Columns);
        var label = schema[nameof(Row.Label)];
        label.ColumnType = new KeyDataViewType(typeof(uint), classes);
        var names = new VBuffer<ReadOnlyMemory<char>>(classes, [.. classNames.Select(n => n.AsMemory())]);
        label.AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, classes));
        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}
