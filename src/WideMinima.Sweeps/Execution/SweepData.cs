using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.Data;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Execution;

/// <summary>Loads a sweep's train and test data as ML.NET data views, once per worker process.</summary>
public sealed class SweepData
{
    private SweepData(IDataView train, IDataView test)
    {
        Train = train;
        Test = test;
    }

    /// <summary>Training data: <c>Label</c> (key) and <c>Features</c> (vector of float).</summary>
    public IDataView Train { get; }

    /// <summary>Test data with the same columns.</summary>
    public IDataView Test { get; }

    private long _trainRows = -1;

    /// <summary>Rows of <see cref="Train"/>: the view's own count, or counted once with a cursor over no column.</summary>
    public long TrainRows
    {
        get
        {
            if (_trainRows >= 0) return _trainRows;
            if (Train.GetRowCount() is long known) return _trainRows = known;
            long rows = 0;
            using (var cursor = Train.GetRowCursor([]))
                while (cursor.MoveNext()) rows++;
            return _trainRows = rows;
        }
    }

    private readonly Lock _gate = new();
    private SweepData? _calibration;
    private (double Share, int Seed) _calibrationKey;

    /// <summary>
    /// The calibration's data: <see cref="Train"/> less a seeded, stratified validation split of
    /// <paramref name="validationShare"/> (<see cref="WideMinima.Tuning.StratifiedSplit"/>), as <c>Train</c>, and that split as
    /// <c>Test</c>. The test set is not part of it. Built once per share and seed (in memory), then reused.
    /// </summary>
    public SweepData CalibrationSplit(MLContext ml, double validationShare, int seed)
    {
        ArgumentNullException.ThrowIfNull(ml);
        lock (_gate)
        {
            if (_calibration is not null && _calibrationKey == (validationShare, seed)) return _calibration;
            var labelColumn = Train.Schema["Label"];
            var featureColumn = Train.Schema["Features"];
            if (labelColumn.Type is not KeyDataViewType key || featureColumn.Type is not VectorDataViewType { Size: > 0 } vector)
                throw new InvalidOperationException("The calibration split needs a key 'Label' and a fixed-size 'Features' vector.");
            var rows = new List<Row>();
            using (var cursor = Train.GetRowCursor([labelColumn, featureColumn]))
            {
                var label = cursor.GetGetter<uint>(labelColumn);
                var features = cursor.GetGetter<VBuffer<float>>(featureColumn);
                uint l = 0;
                VBuffer<float> f = default;
                while (cursor.MoveNext())
                {
                    label(ref l);
                    features(ref f);
                    if (l == 0) throw new InvalidOperationException($"training data: label column 'Label' is missing (key 0) at row {rows.Count}.");
                    // ML.NET's row objects hold keys 0-based; the column holds them 1-based.
                    rows.Add(new Row { Label = l - 1, Features = f.DenseValues().ToArray() });
                }
            }
            var (trainIndex, validationIndex) = WideMinima.Tuning.StratifiedSplit.Carve([.. rows.Select(r => (long)r.Label)], validationShare, seed);
            var definition = SchemaDefinition.Create(typeof(Row));
            definition["Label"].ColumnType = key;
            if (labelColumn.Annotations.Schema.GetColumnOrNull("KeyValues") is { } keyValues)
            {
                VBuffer<ReadOnlyMemory<char>> names = default;
                labelColumn.Annotations.GetValue("KeyValues", ref names);
                definition["Label"].AddAnnotation("KeyValues", names, keyValues.Type);
            }
            definition["Features"].ColumnType = vector;
            IDataView View(int[] index) => ml.Data.LoadFromEnumerable(index.Select(i => rows[i]).ToList(), definition);
            _calibration = new SweepData(View(trainIndex), View(validationIndex));
            _calibrationKey = (validationShare, seed);
            return _calibration;
        }
    }

    /// <summary>A row of the calibration split.</summary>
    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    /// <summary>The folder of the Fashion-MNIST subset shipped with the program.</summary>
    public static string SubsetFolder => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    /// <summary>
    /// Checks the data once, before anything trains; throws <see cref="SweepConfigException"/> naming the field, or
    /// for a bad file its path, line, column and value. Every kind must exist; text data is read through once and
    /// checked strictly (<see cref="TextDataCheck"/>: every feature a finite number, every row one field per header
    /// column, every label present and every test label one the training file has); IDX files are read as the
    /// workers will read them (headers, lengths, one label per image, test labels among the training classes).
    /// </summary>
    public static void CheckExists(DatasetConfig d)
    {
        CheckPresent(d);
        switch (d.Kind)
        {
            case DatasetKind.Idx:
                CheckIdx(d);
                break;
            case DatasetKind.Text:
                TextDataCheck.Check(TextDataFile.OnDisk(TextDataFile.TrainingRole, Resolve(d, d.TrainFile!)),
                    TextDataFile.OnDisk(TextDataFile.TestRole, Resolve(d, d.TestFile!)), d.Separator[0], d.LabelColumn);
                break;
            default:
                break;
        }
    }

    /// <summary>Checks that the data exists and a text header names the label column; reads no further.</summary>
    private static void CheckPresent(DatasetConfig d)
    {
        ArgumentNullException.ThrowIfNull(d);
        switch (d.Kind)
        {
            case DatasetKind.FashionMnist:
                try
                {
                    FashionMnist.Locate(new FashionMnistSource { Path = d.Path });
                }
                catch (FileNotFoundException e)
                {
                    throw new SweepConfigException(d.Path is null ? "dataset" : "dataset.path", d.Path ?? ConfigNames.Name(d.Kind), $"Fashion-MNIST is missing ({e.Message})");
                }
                break;
            case DatasetKind.FashionMnistSubset:
                if (!File.Exists(Path.Combine(SubsetFolder, "train-images-idx3-ubyte.gz")))
                    throw new SweepConfigException("dataset.kind", ConfigNames.Name(d.Kind), $"needs the subset shipped beside the program in '{SubsetFolder}', which is missing");
                break;
            case DatasetKind.Cifar10:
                if (Cifar10.Find(d.Path) is null)
                    throw new SweepConfigException("dataset.path", d.Path ?? $"${Cifar10.EnvironmentVariable} (unset)",
                        "must be a folder with CIFAR-10's binary batches (data_batch_1.bin ... data_batch_5.bin, test_batch.bin: extract " +
                        $"cifar-10-binary.tar.gz from the dataset's site and pass --dataset-path, or set {Cifar10.EnvironmentVariable})");
                break;
            case DatasetKind.Idx:
                MustExist(d, d.TrainImages, "dataset.train_images");
                MustExist(d, d.TrainLabels, "dataset.train_labels");
                MustExist(d, d.TestImages, "dataset.test_images");
                MustExist(d, d.TestLabels, "dataset.test_labels");
                break;
            case DatasetKind.Text:
                MustExist(d, d.TrainFile, "dataset.train_file");
                MustExist(d, d.TestFile, "dataset.test_file");
                TextColumns(d);
                break;
            default:
                throw new SweepConfigException("dataset.kind", d.Kind, "is not a known dataset kind");
        }
    }

    /// <summary>Loads the data the config names.</summary>
    public static SweepData Load(MLContext ml, DatasetConfig d)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(d);
        // The content was checked once by the command that started the sweep (CheckExists); a worker only finds it.
        CheckPresent(d);
        switch (d.Kind)
        {
            case DatasetKind.FashionMnist:
                {
                    string folder = FashionMnist.Locate(new FashionMnistSource { Path = d.Path });
                    return new SweepData(FashionMnist.LoadFolder(ml, folder, FashionMnistSplit.Train, d.TrainLimit),
                        FashionMnist.LoadFolder(ml, folder, FashionMnistSplit.Test, d.TestLimit));
                }
            case DatasetKind.FashionMnistSubset:
                return new SweepData(FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, d.TrainLimit),
                    FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Test, d.TestLimit));
            case DatasetKind.Cifar10:
                {
                    string folder = Cifar10.Find(d.Path)!;
                    return new SweepData(Cifar10.Load(ml, folder, train: true, d.TrainLimit), Cifar10.Load(ml, folder, train: false, d.TestLimit));
                }
            case DatasetKind.Idx:
                return new SweepData(LoadIdx(ml, Resolve(d, d.TrainImages!), Resolve(d, d.TrainLabels!), d.TrainLimit),
                    LoadIdx(ml, Resolve(d, d.TestImages!), Resolve(d, d.TestLabels!), d.TestLimit));
            case DatasetKind.Text:
                return LoadText(ml, d);
            default:
                throw new SweepConfigException("dataset.kind", d.Kind, "is not a known dataset kind");
        }
    }

    private static IDataView LoadIdx(MLContext ml, string images, string labels, int? take)
    {
        var pixels = IdxFile.ReadImages(images, take);
        var classes = IdxFile.ReadLabels(labels, take);
        int count = classes.Length == 0 ? 0 : classes.Max() + 1;
        return IdxDataView.Create(ml, pixels, classes, [.. Enumerable.Range(0, Math.Max(count, 2)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            $"{Path.GetFileName(images)} + {Path.GetFileName(labels)}");
    }

    private static SweepData LoadText(MLContext ml, DatasetConfig d)
    {
        string train = Resolve(d, d.TrainFile!), test = Resolve(d, d.TestFile!);
        char separator = d.Separator[0];
        var (labelIndex, featureIndices) = TextColumns(d);
        // Quoting on: a value in double quotes may hold the separator ("a, b"), as TextDataCheck reads it.
        // ForceVector: one feature column is still a vector of features, not a scalar the trainer cannot take.
        var loader = ml.Data.CreateTextLoader(
        [
            new TextLoader.Column("LabelRaw", DataKind.String, labelIndex),
            new TextLoader.Column("Features", DataKind.Single, [.. featureIndices.Select(i => new TextLoader.Range(i) { ForceVector = true })]),
        ], separatorChar: separator, hasHeader: true, allowQuoting: true);
        var trainView = loader.Load(train);
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label", "LabelRaw").Fit(trainView);
        IDataView Prepare(string file, int? take)
        {
            var view = toKey.Transform(loader.Load(file));
            return take is int t ? ml.Data.TakeRows(view, t) : view;
        }
        return new SweepData(Prepare(train, d.TrainLimit), Prepare(test, d.TestLimit));
    }

    /// <summary>The label column's index and the feature columns' indices, from the training file's header.</summary>
    private static (int Label, int[] Features) TextColumns(DatasetConfig d)
    {
        var train = TextDataFile.OnDisk(TextDataFile.TrainingRole, Resolve(d, d.TrainFile!));
        TextHeader header;
        try
        {
            using var reader = train.Open();
            header = TextDataCheck.ReadHeader(new TextLines(reader), train, d.Separator[0], d.LabelColumn);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SweepConfigException($"{train.Role} '{train.Path}' could not be read: {e.Message}", e);
        }
        return (header.LabelIndex, [.. Enumerable.Range(0, header.Columns.Length).Where(i => i != header.LabelIndex)]);
    }

    /// <summary>Reads the IDX files as <see cref="LoadIdx"/> will, so that a malformed one fails before any run.</summary>
    private static void CheckIdx(DatasetConfig d)
    {
        var (trainCount, trainShape, trainClasses) = CheckIdxPair(d, d.TrainImages!, "dataset.train_images", d.TrainLabels!, "dataset.train_labels", d.TrainLimit);
        var (testCount, testShape, testClasses) = CheckIdxPair(d, d.TestImages!, "dataset.test_images", d.TestLabels!, "dataset.test_labels", d.TestLimit);
        if (trainCount == 0) throw new SweepConfigException("dataset.train_images", d.TrainImages, "must hold at least one image");
        if (testCount == 0) throw new SweepConfigException("dataset.test_images", d.TestImages, "must hold at least one image");
        if (testShape != trainShape)
            throw new SweepConfigException("dataset.test_images", d.TestImages, $"must hold images of the training images' size ({trainShape.Rows} x {trainShape.Columns}), not {testShape.Rows} x {testShape.Columns}");
        if (testClasses.Max > trainClasses.Max)
            throw new SweepConfigException("dataset.test_labels", d.TestLabels,
                $"must hold only the training labels' classes 0..{trainClasses.Max} (its example {testClasses.MaxIndex + 1} has label {testClasses.Max})");
    }

    private static (int Count, (int Rows, int Columns) Shape, (int Max, int MaxIndex) Classes) CheckIdxPair(DatasetConfig d, string images, string imagesField, string labels, string labelsField, int? take)
    {
        string imagesPath = Resolve(d, images), labelsPath = Resolve(d, labels);
        var pixels = ReadIdx(() => IdxFile.ReadImages(imagesPath, take), imagesField, images);
        var classes = ReadIdx(() => IdxFile.ReadLabels(labelsPath, take), labelsField, labels);
        if (classes.Length != pixels.Count)
            throw new SweepConfigException(labelsField, labels, $"must hold one label per image of '{images}' ({pixels.Count} images{(take is null ? "" : " used")}; it has {classes.Length} labels)");
        int max = -1, at = -1;
        for (int i = 0; i < classes.Length; i++)
        {
            if (classes[i] > max) (max, at) = (classes[i], i);
        }
        return (pixels.Count, (pixels.Rows, pixels.Columns), (max, at));
    }

    private static T ReadIdx<T>(Func<T> read, string field, string path)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new SweepConfigException(field, path, $"must be a readable IDX file ({e.Message.TrimEnd('.')})");
        }
    }

    private static string Resolve(DatasetConfig d, string path) => d.Path is null || Path.IsPathRooted(path) ? path : Path.Combine(d.Path, path);

    private static void MustExist(DatasetConfig d, string? path, string field)
    {
        if (path is null || !File.Exists(Resolve(d, path))) throw new SweepConfigException(field, path, "must name an existing file");
    }
}
