using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.Training;

namespace WideMinima.MLNet;

/// <summary>
/// Checks the schema of the training data and copies its feature and label columns out of an
/// <see cref="IDataView"/> into flat arrays, once per fit. Every failure names the column, what it has
/// and what it needs.
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>The feature column's size and dimensions; throws when it is not a known-size vector of float.</summary>
    public static (int Size, int[] Dimensions) CheckFeatures(DataViewSchema schema, string column)
    {
        var type = Find(schema, column, "feature").Type;
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw Mismatch("feature", column, "a vector of Single (float) of known size", type);
        if (!vector.IsKnownSize)
            throw Mismatch("feature", column, "a vector of Single (float) of known size", type, " (the size varies from row to row)");
        return (vector.Size, [.. vector.Dimensions]);
    }

    /// <summary>Checks the label column's type: a key, or an integer type.</summary>
    public static DataViewType CheckLabelType(DataViewSchema schema, string column)
    {
        var type = Find(schema, column, "label").Type;
        if (type is KeyDataViewType || LabelInfo.IsIntegerType(type)) return type;
        throw Mismatch("label", column, "a key type or an integer type", type);
    }

    /// <summary>Reads features and labels; <paramref name="known"/> fixes the classes (for validation data).</summary>
    public static (ClassifierData Data, LabelInfo Label) Read(IDataView data, string featureColumn, string labelColumn, LabelInfo? known, string what)
    {
        var (size, _) = CheckFeatures(data.Schema, featureColumn);
        var labelType = CheckLabelType(data.Schema, labelColumn);
        var featureCol = data.Schema[featureColumn];
        var labelCol = data.Schema[labelColumn];
        int keyCount = labelType is KeyDataViewType key ? checked((int)key.Count) : 0;
        if (labelType is KeyDataViewType && keyCount == 0)
            throw Mismatch("label", labelColumn, "a key type with a known count", labelType);

        // One flat array, sized from the row count when the data view knows it and doubled when it does not,
        // so that each row is copied once, straight into place.
        long? known_rows = data.GetRowCount();
        long capacity = Math.Max(1, known_rows ?? 1024);
        var flat = GC.AllocateUninitializedArray<float>(checked((int)(capacity * size))); // every value used is written below
        var labels = new List<long>((int)Math.Min(capacity, int.MaxValue));
        var vbuffer = default(VBuffer<float>);
        int row = 0;
        using (var cursor = data.GetRowCursor([featureCol, labelCol]))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureCol);
            var getLabel = LabelGetter(cursor, labelCol);
            while (cursor.MoveNext())
            {
                getFeatures(ref vbuffer);
                if (vbuffer.Length != size)
                    throw new InvalidOperationException($"{what}: row {row} of feature column '{featureColumn}' has {vbuffer.Length} values, expected {size}.");
                if ((long)(row + 1) * size > flat.Length) Array.Resize(ref flat, checked(flat.Length * 2));
                var target = flat.AsSpan(row * size, size);
                vbuffer.CopyTo(target);
                int bad = FirstNonFinite(target);
                if (bad >= 0)
                    throw new InvalidOperationException($"{what}: feature column '{featureColumn}' has {target[bad].ToString(CultureInfo.InvariantCulture)} at row {row}, index {bad}; features must be finite numbers.");
                long label = getLabel();
                if (labelType is KeyDataViewType)
                {
                    if (label == 0)
                        throw new InvalidOperationException($"{what}: label column '{labelColumn}' is missing (key 0) at row {row}.");
                    label -= 1; // keys are 1-based
                }
                else if (label < 0)
                {
                    throw new InvalidOperationException($"{what}: label column '{labelColumn}' is {label} at row {row}; integer labels must be class indices 0, 1, 2, ...");
                }
                if (known is not null && label >= known.ClassCount)
                    throw new InvalidOperationException($"{what}: label column '{labelColumn}' is {(labelType is KeyDataViewType ? label + 1 : label)} at row {row}, out of range for the {known.ClassCount} classes the model was trained on.");
                labels.Add(label);
                row++;
            }
        }
        if (labels.Count == 0) throw new InvalidOperationException($"{what} has no rows: there is nothing to learn from.");
        if ((long)labels.Count * size != flat.Length) Array.Resize(ref flat, labels.Count * size);

        var info = known ?? Describe(labelCol, labelType, keyCount, labels);
        return (new ClassifierData(flat, [.. labels], size, info.ClassCount), info);
    }

    /// <summary>The index of the first NaN or infinity, or -1: the exponent bits of both are all ones.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(values);
        const int exponent = 0x7F800000;
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var mask = new System.Numerics.Vector<int>(exponent);
            int width = System.Numerics.Vector<int>.Count;
            for (; i <= bits.Length - width; i += width)
            {
                var v = new System.Numerics.Vector<int>(bits.Slice(i, width));
                if (System.Numerics.Vector.EqualsAny(System.Numerics.Vector.BitwiseAnd(v, mask), mask)) break;
            }
        }
        for (; i < bits.Length; i++) if ((bits[i] & exponent) == exponent) return i;
        return -1;
    }

    private static LabelInfo Describe(DataViewSchema.Column column, DataViewType type, int keyCount, List<long> labels)
    {
        if (type is KeyDataViewType)
        {
            var names = new VBuffer<ReadOnlyMemory<char>>();
            string[] values;
            if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is { } annotation && annotation.Type is VectorDataViewType { ItemType: TextDataViewType })
            {
                column.Annotations.GetValue("KeyValues", ref names);
                values = [.. names.DenseValues().Select(v => v.ToString())];
            }
            else
            {
                values = [.. Enumerable.Range(1, keyCount).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            }
            return new LabelInfo(true, keyCount, values);
        }
        int classes = checked((int)labels.Max() + 1);
        if (classes < 2) throw new InvalidOperationException($"Label column '{column.Name}' holds a single class ({classes - 1}); classification needs at least two.");
        if (classes > 100_000) throw new InvalidOperationException($"Label column '{column.Name}' has the value {classes - 1}; integer labels must be class indices 0..K-1 with a sensible K.");
        return new LabelInfo(false, classes, [.. Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture))]);
    }

    private static Func<long> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var raw = column.Type is KeyDataViewType key ? key.RawType : column.Type.RawType;
        if (raw == typeof(uint)) { var g = cursor.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(ulong)) { var g = cursor.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return checked((long)v); }; }
        if (raw == typeof(ushort)) { var g = cursor.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(byte)) { var g = cursor.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(int)) { var g = cursor.GetGetter<int>(column); int v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(long)) { var g = cursor.GetGetter<long>(column); long v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(short)) { var g = cursor.GetGetter<short>(column); short v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(sbyte)) { var g = cursor.GetGetter<sbyte>(column); sbyte v = 0; return () => { g(ref v); return v; }; }
        throw Mismatch("label", column.Name, "a key type or an integer type", column.Type);
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string column, string role) =>
        schema.GetColumnOrNull(column) ?? throw new ArgumentOutOfRangeException(column,
            $"The {role} column '{column}' was not found. The input has: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"))}.");

    private static ArgumentOutOfRangeException Mismatch(string role, string column, string expected, DataViewType actual, string detail = "") =>
        new(column, $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}{detail}.");
}
