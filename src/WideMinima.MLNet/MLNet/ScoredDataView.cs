using Microsoft.ML;
using Microsoft.ML.Data;

namespace WideMinima.MLNet;

/// <summary>
/// What <see cref="WideMinimaTransformer.Transform"/> returns: the input's columns, then the score and predicted-label
/// columns, scored in batches. Each cursor reads <see cref="ScoringOptions.BatchSize"/> rows ahead from one input
/// cursor (the features and every input column asked for, buffered per row), runs one forward pass, and serves the
/// rows from its buffers. Row order, shuffling (the input's own, with the caller's random source) and cursor sets
/// (the input's, each cursor batching on its own) are the input's: the view adds columns and nothing else.
/// </summary>
internal sealed class ScoredDataView : IDataView
{
    private readonly IDataView _input;
    private readonly NetworkScorer _scorer;
    private readonly ScoringOptions _options;
    private readonly int _features;

    public ScoredDataView(IDataView input, DataViewSchema schema, NetworkScorer scorer, ScoringOptions options, int featureColumn)
    {
        _input = input;
        Schema = schema;
        _scorer = scorer;
        _options = options;
        _features = featureColumn;
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => _input.CanShuffle;

    private int InputCount => _input.Schema.Count;

    /// <inheritdoc />
    public long? GetRowCount() => _input.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (active, inputColumns, scoring) = Plan(columnsNeeded);
        return Wrap(_input.GetRowCursor(inputColumns, rand), active, scoring);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (active, inputColumns, scoring) = Plan(columnsNeeded);
        return [.. _input.GetRowCursorSet(inputColumns, n, rand).Select(cursor => Wrap(cursor, active, scoring))];
    }

    private DataViewRowCursor Wrap(DataViewRowCursor input, bool[] active, bool scoring) =>
        scoring ? new BatchingCursor(this, input, active) : new ForwardingCursor(this, input, active);

    /// <summary>Which output columns are active, which input columns that takes, and whether anything is scored.</summary>
    private (bool[] Active, List<DataViewSchema.Column> InputColumns, bool Scoring) Plan(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= Schema.Count || Schema[column.Index].Name != column.Name)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not a column of this data view's schema.");
            active[column.Index] = true;
        }
        bool scoring = active.AsSpan(InputCount).Contains(true);
        var inputColumns = _input.Schema.Where(c => active[c.Index] || (scoring && c.Index == _features)).ToList();
        return (active, inputColumns, scoring);
    }

    private static InvalidOperationException NotOnARow() =>
        new("The cursor is not on a row: read values only after MoveNext returned true.");

    private static ValueGetter<TValue> Typed<TValue>(Delegate getter, DataViewSchema.Column column) =>
        getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' holds {column.Type} ({column.Type.RawType.Name}); a getter of {typeof(TValue).Name} was asked for.");

    private static void CheckActive(bool[] active, DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= active.Length || !active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor: ask for it when the cursor is made.");
    }

    /// <summary>A cursor that scores nothing (no score or predicted-label column asked for): the input's rows as they come.</summary>
    private sealed class ForwardingCursor(ScoredDataView parent, DataViewRowCursor input, bool[] active) : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index >= 0 && column.Index < active.Length && active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckActive(active, column);
            return input.GetGetter<TValue>(input.Schema[column.Index]);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A cursor that reads a batch of rows ahead, scores it in one forward pass and serves it row by row.</summary>
    private sealed class BatchingCursor : DataViewRowCursor
    {
        private readonly ScoredDataView _parent;
        private readonly DataViewRowCursor _input;
        private readonly bool[] _active;
        private readonly NetworkScorer.Batch _batch;
        private readonly ValueGetter<VBuffer<float>> _readFeatures;
        private readonly ValueGetter<DataViewRowId> _readId;
        private readonly ColumnBuffer?[] _columns;
        private readonly ColumnBuffer[] _buffered;
        private readonly DataViewRowId[] _ids;
        private readonly long[] _batches;
        private readonly uint[] _predicted;
        private readonly Func<int> _slot;
        private VBuffer<float> _row;
        private int _count;
        private int _index = -1;
        private long _position = -1;
        private long _rowsRead;
        private bool _done;
        private bool _disposed;

        public BatchingCursor(ScoredDataView parent, DataViewRowCursor input, bool[] active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            int capacity = parent._options.BatchSize;
            _batch = parent._scorer.CreateBatch(capacity);
            _readFeatures = input.GetGetter<VBuffer<float>>(input.Schema[parent._features]);
            _readId = input.GetIdGetter();
            _columns = new ColumnBuffer?[parent.InputCount];
            for (int c = 0; c < _columns.Length; c++)
            {
                if (active[c]) _columns[c] = ColumnBuffer.Create(input, input.Schema[c], capacity);
            }
            _buffered = [.. _columns.OfType<ColumnBuffer>()];
            _ids = new DataViewRowId[capacity];
            _batches = new long[capacity];
            _predicted = new uint[capacity];
            _slot = CurrentSlot;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => _index >= 0 ? _batches[_index] : 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index >= 0 && column.Index < _active.Length && _active[column.Index];

        public override bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_done) return false;
            if (++_index >= _count && !ReadAhead())
            {
                _done = true;
                _index = -1;
                _position = -1;
                return false;
            }
            _position++;
            return true;
        }

        /// <summary>Reads up to a batch of rows from the input and scores them; false when the input has no more.</summary>
        private bool ReadAhead()
        {
            int size = _parent._scorer.FeatureCount, classes = _parent._scorer.ClassCount, rows = 0;
            var features = _batch.Features;
            while (rows < _batch.Capacity && _input.MoveNext())
            {
                _readFeatures(ref _row);
                if (_row.Length != size)
                {
                    string name = _input.Schema[_parent._features].Name;
                    throw new InvalidOperationException($"Feature column '{name}' has {_row.Length} values at row {_rowsRead}; the model was trained on {size}.");
                }
                _row.CopyTo(features.AsSpan(rows * size, size));
                _readId(ref _ids[rows]);
                _batches[rows] = _input.Batch;
                foreach (var column in _buffered) column.Fill(rows);
                rows++;
                _rowsRead++;
            }
            if (rows == 0) return false;
            _batch.Score(rows, _parent._options.Threads, _parent._options.Backend);
            for (int i = 0; i < rows; i++) _predicted[i] = NetworkScorer.PredictedKey(_batch.Scores.AsSpan(i * classes, classes));
            _count = rows;
            _index = 0;
            return true;
        }

        private int CurrentSlot() => _index >= 0 ? _index : throw NotOnARow();

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = _ids[CurrentSlot()];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckActive(_active, column);
            int inputs = _parent.InputCount;
            if (column.Index < inputs) return Typed<TValue>(_columns[column.Index]!.Getter(_slot), column);
            int classes = _parent._scorer.ClassCount;
            if (column.Index == inputs)
            {
                return Typed<TValue>((ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    int slot = CurrentSlot();
                    var editor = VBufferEditor.Create(ref value, classes);
                    _batch.Scores.AsSpan(slot * classes, classes).CopyTo(editor.Values);
                    value = editor.Commit();
                }), column);
            }
            return Typed<TValue>((ValueGetter<uint>)((ref uint value) => value = _predicted[CurrentSlot()]), column);
        }

        protected override void Dispose(bool disposing)
        {
            if (!_disposed && disposing)
            {
                _input.Dispose();
                _batch.Dispose();
            }
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
