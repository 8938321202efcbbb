using Microsoft.ML;
using Microsoft.ML.Data;

namespace WideMinima.MLNet;

/// <summary>
/// The values of one input column for the rows a batching cursor has read ahead, so that the cursor serves each
/// row's input columns as they were on that row, after its input cursor has moved on. Vectors are copied out on
/// every read (each slot keeps its own buffers); other values are assigned.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>A buffer of <paramref name="capacity"/> slots for <paramref name="column"/> of <paramref name="input"/>.</summary>
    public static ColumnBuffer Create(DataViewRowCursor input, DataViewSchema.Column column, int capacity)
    {
        var raw = column.Type.RawType;
        var type = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(VectorBuffer<>).MakeGenericType(raw.GetGenericArguments()[0])
            : typeof(ValueBuffer<>).MakeGenericType(raw);
        return (ColumnBuffer)Activator.CreateInstance(type, input, column, capacity)!;
    }

    /// <summary>Reads the input cursor's current value into <paramref name="slot"/>.</summary>
    public abstract void Fill(int slot);

    /// <summary>A <c>ValueGetter</c> of the column's type that serves the slot <paramref name="slot"/> returns when called.</summary>
    public abstract Delegate Getter(Func<int> slot);
}

/// <summary>A buffered column of scalars (numbers, keys, text, booleans, dates).</summary>
internal sealed class ValueBuffer<T>(DataViewRowCursor input, DataViewSchema.Column column, int capacity) : ColumnBuffer
{
    private readonly ValueGetter<T> _source = input.GetGetter<T>(column);
    private readonly T[] _values = new T[capacity];

    public override void Fill(int slot) => _source(ref _values[slot]);

    public override Delegate Getter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);
}

/// <summary>A buffered vector column.</summary>
internal sealed class VectorBuffer<T>(DataViewRowCursor input, DataViewSchema.Column column, int capacity) : ColumnBuffer
{
    private readonly ValueGetter<VBuffer<T>> _source = input.GetGetter<VBuffer<T>>(column);
    private readonly VBuffer<T>[] _values = new VBuffer<T>[capacity];

    public override void Fill(int slot) => _source(ref _values[slot]);

    public override Delegate Getter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot()].CopyTo(ref value));
}
