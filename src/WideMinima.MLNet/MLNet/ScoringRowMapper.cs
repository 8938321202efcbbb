using Microsoft.ML;
using Microsoft.ML.Data;

namespace WideMinima.MLNet;

/// <summary>
/// The transformer as a row-to-row mapper, which ML.NET builds <c>PredictionEngine</c> on: one row at a time, scored
/// when its score or predicted label is first read and kept until the input row moves on (its <c>Position</c>
/// changes). Each row scores through its own one-row buffers and tensors, made once, so a prediction allocates no
/// managed arrays, and with <see cref="ScoringOptions.SingleRowThreads"/> libtorch threads.
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly DataViewSchema inputSchema;
    private readonly DataViewSchema outputSchema;
    private readonly NetworkScorer scorer;
    private readonly ScoringOptions options;
    private readonly int featureColumn;

    public ScoringRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema, NetworkScorer scorer, ScoringOptions options, int featureColumn)
    {
        this.inputSchema = inputSchema;
        this.outputSchema = outputSchema;
        this.scorer = scorer;
        this.options = options;
        this.featureColumn = featureColumn;
    }

    /// <inheritdoc />
    public DataViewSchema InputSchema => inputSchema;

    /// <inheritdoc />
    public DataViewSchema OutputSchema => outputSchema;

    /// <inheritdoc />
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var active = Active(dependingColumns);
        bool scoring = active.AsSpan(inputSchema.Count).Contains(true);
        return [.. inputSchema.Where(c => active[c.Index] || (scoring && c.Index == featureColumn))];
    }

    /// <inheritdoc />
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Schema.Count != inputSchema.Count || input.Schema[featureColumn].Name != inputSchema[featureColumn].Name)
            throw new ArgumentException("The row's schema is not the one this mapper was made for (GetRowToRowMapper's input schema).", nameof(input));
        return new ScoredRow(this, input, Active(activeColumns));
    }

    private bool[] Active(IEnumerable<DataViewSchema.Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var active = new bool[outputSchema.Count];
        foreach (var column in columns)
        {
            if (column.Index < 0 || column.Index >= active.Length)
                throw new ArgumentOutOfRangeException(nameof(columns), $"Column '{column.Name}' (index {column.Index}) is not a column of the mapper's output schema.");
            active[column.Index] = true;
        }
        return active;
    }

    /// <summary>An input row with the score and predicted label added.</summary>
    private sealed class ScoredRow : DataViewRow
    {
        private readonly ScoringRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly bool[] _active;
        private readonly NetworkScorer.Batch? _batch;
        private readonly ValueGetter<VBuffer<float>>? _readFeatures;
        private VBuffer<float> _row;
        private long _scoredPosition = -1;
        private uint _predicted;
        private bool _disposed;

        public ScoredRow(ScoringRowMapper parent, DataViewRow input, bool[] active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            if (active.AsSpan(parent.inputSchema.Count).Contains(true))
            {
                _batch = parent.scorer.CreateBatch(1);
                _readFeatures = input.GetGetter<VBuffer<float>>(input.Schema[parent.featureColumn]);
            }
        }

        public override DataViewSchema Schema => _parent.outputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index >= 0 && column.Index < _active.Length && _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row: ask for it when the row is made.");
            int inputs = _parent.inputSchema.Count;
            if (column.Index < inputs) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            Delegate getter;
            if (column.Index == inputs)
            {
                int classes = _parent.scorer.ClassCount;
                getter = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    ScoreCurrentRow();
                    var editor = VBufferEditor.Create(ref value, classes);
                    _batch!.Scores.AsSpan(0, classes).CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            else
            {
                getter = (ValueGetter<uint>)((ref uint value) =>
                {
                    ScoreCurrentRow();
                    value = _predicted;
                });
            }
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type} ({column.Type.RawType.Name}); a getter of {typeof(TValue).Name} was asked for.");
        }

        /// <summary>Scores the input's current row, unless it was scored already.</summary>
        private void ScoreCurrentRow()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long position = _input.Position;
            if (position < 0) throw new InvalidOperationException("The input row holds no values yet.");
            if (position == _scoredPosition) return;
            int size = _parent.scorer.FeatureCount;
            _readFeatures!(ref _row);
            if (_row.Length != size)
                throw new InvalidOperationException($"Feature column '{_input.Schema[_parent.featureColumn].Name}' has {_row.Length} values; the model was trained on {size}.");
            _row.CopyTo(_batch!.Features);
            _batch.Score(1, _parent.options.SingleRowThreads, _parent.options.Backend);
            _predicted = NetworkScorer.PredictedKey(_batch.Scores);
            _scoredPosition = position;
        }

        protected override void Dispose(bool disposing)
        {
            if (!_disposed && disposing)
            {
                _input.Dispose();
                _batch?.Dispose();
            }
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
