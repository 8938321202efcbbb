using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.Data;
using WideMinima.Ledger;
using WideMinima.Tuning;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;

namespace WideMinima.Tests.Sweeps;

/// <summary>
/// The user's own data is read and checked once, before any run starts: text files (kind <c>text</c>) and IDX files.
/// The console tests write real files and run the console as a user does; the others check that what the check
/// accepts is what ML.NET's TextLoader reads, and that what it refuses is what the loader would misread.
/// </summary>
[TestClass]
public sealed class TextDataCheckTests
{
    private const string Header = "x1,x2,species,x3";

    /// <summary>Two separable classes; row i of the file is on line i + 2.</summary>
    private static List<string> Rows(int count, int seed, Func<int, string>? label = null)
    {
        var random = new Random(seed);
        var lines = new List<string> { Header };
        for (int i = 0; i < count; i++)
        {
            double shift = i % 2 == 0 ? 2 : -2;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{shift + random.NextDouble():F3},{random.NextDouble():F3},{label?.Invoke(i) ?? (i % 2 == 0 ? "setosa" : "virginica")},{-shift + random.NextDouble():F3}"));
        }
        return lines;
    }

    private sealed record Dataset(string Folder, string Train, string Test);

    private static Dataset Write(IEnumerable<string> train, IEnumerable<string> test, string newline = "\n")
    {
        string folder = TinySweep.NewFolder("text-data");
        var d = new Dataset(folder, Path.Combine(folder, "train.csv"), Path.Combine(folder, "test.csv"));
        File.WriteAllText(d.Train, string.Join(newline, train) + newline);
        File.WriteAllText(d.Test, string.Join(newline, test) + newline);
        return d;
    }

    private static DatasetConfig Text(Dataset d) => new()
    {
        Kind = DatasetKind.Text, Path = d.Folder, TrainFile = "train.csv", TestFile = "test.csv", LabelColumn = "species",
    };

    private static SweepConfig Config(DatasetConfig dataset) => TinySweep.Config(dataset.Path!) with
    {
        Dataset = dataset,
        ExploreFractions = [0.5],
        Baselines = [ScheduleFamily.Cosine],
        Seeds = 1,
    };

    /// <summary>Runs the console on the data; it must exit 2 before any run: no ledger, so no run claimed.</summary>
    private static string Refused(DatasetConfig dataset)
    {
        string folder = Path.Combine(TinySweep.NewFolder("refused"), "sweep");
        var (code, output, error) = TinySweep.Run("run", "--config", TinySweep.WriteConfig(Config(dataset), TinySweep.NewFolder("cfg")), "--out", folder, "--workers", "1");
        Assert.AreEqual(2, code, output + error);
        Assert.IsFalse(File.Exists(Path.Combine(folder, SqlLedger.FileName)), "no run may start: " + output + error);
        Assert.DoesNotContain("   at ", error, "no stack trace");
        return error.Trim();
    }

    private static List<string> With(List<string> lines, int line, string text)
    {
        lines[line - 1] = text;
        return lines;
    }

    [TestMethod]
    public void A_non_number_in_the_test_file_exits_2_naming_the_test_file_line_column_and_value()
    {
        var d = Write(Rows(100, 1), With(Rows(40, 2), 5, "1.5,x5,setosa,3"));
        Assert.AreEqual($"error: the test file '{d.Test}', line 5, column 'x2' (field 2): a feature must be a number (like 3, -0.25 or 1.5e-3), but was 'x5'.",
            Refused(Text(d)));
    }

    [TestMethod]
    public void A_spelled_NaN_or_an_empty_cell_in_the_training_file_exits_2()
    {
        var train = Rows(100, 1);
        var d = Write(With(train, 3, "NaN,0.5,setosa,1"), Rows(40, 2));
        Assert.AreEqual($"error: the training file '{d.Train}', line 3, column 'x1' (field 1): a feature must be a finite number (NaN, NA, ? and infinities are refused), but was 'NaN'.",
            Refused(Text(d)));
        var empty = Write(With(Rows(100, 1), 8, "1,,setosa,1"), Rows(40, 2));
        Assert.AreEqual($"error: the training file '{empty.Train}', line 8, column 'x2' (field 2): a feature must be a number, but the cell is empty (a missing value: fill it in or drop the row).",
            Refused(Text(empty)));
    }

    [TestMethod]
    public void A_short_row_or_a_long_row_exits_2_with_both_field_counts()
    {
        // The issue's case: a row that lost its last fields.
        var d = Write(With(Rows(100, 1), 7, "1.5,0.25,setosa"), Rows(40, 2));
        Assert.AreEqual($"error: the training file '{d.Train}', line 7: has 3 fields, but the header (line 1) has 4; the row ends after column 'species' (field 3) with 'setosa', so 'x3' has no value.",
            Refused(Text(d)));
        var longRow = Write(Rows(100, 1), With(Rows(40, 2), 4, "1.5,0.25,setosa, wild,3"));
        Assert.AreEqual($"error: the test file '{longRow.Test}', line 4: has 5 fields, but the header (line 1) has 4; the first extra field, after column 'x3' (field 4), is '3' (a value holding the separator ',' must be in double quotes).",
            Refused(Text(longRow)));
    }

    [TestMethod]
    public void An_empty_label_exits_2()
    {
        var d = Write(With(Rows(100, 1), 9, "1.5,0.25,,3"), Rows(40, 2));
        Assert.AreEqual($"error: the training file '{d.Train}', line 9, column 'species' (field 3): the label is empty; every row needs one.",
            Refused(Text(d)));
    }

    [TestMethod]
    public void A_test_label_the_training_file_never_has_exits_2()
    {
        var d = Write(Rows(100, 1), With(Rows(40, 2), 6, "1.5,0.25,versicolor,3"));
        Assert.AreEqual($"error: the test file '{d.Test}', line 6, column 'species' (field 3): the label 'versicolor' never occurs in the training file, whose labels are the classes (2: 'setosa', 'virginica').",
            Refused(Text(d)));
    }

    [TestMethod]
    public void An_empty_file_a_header_without_the_label_or_rows_and_a_different_test_header_exit_2()
    {
        var empty = Write(Rows(100, 1), []);
        File.WriteAllText(empty.Test, "");
        Assert.AreEqual($"error: the test file '{empty.Test}' is empty; it needs a header line naming the columns, then one row per example.", Refused(Text(empty)));

        var noLabel = Write(With(Rows(100, 1), 1, "x1,x2,kind,x3"), Rows(40, 2));
        Assert.AreEqual($"error: dataset.label_column: must name a column of the training file '{noLabel.Train}' (its header, line 1, has x1, x2, kind, x3), but was 'species'.",
            Refused(Text(noLabel)));

        var noRows = Write([Header], Rows(40, 2));
        Assert.AreEqual($"error: the training file '{noRows.Train}' has a header (line 1) but no rows.", Refused(Text(noRows)));

        // A test file without a header would lose its first row to the loader, which skips a header line.
        var headless = Write(Rows(100, 1), Rows(40, 2).Skip(1));
        StringAssert.StartsWith(Refused(Text(headless)),
            $"error: the test file '{headless.Test}', line 1 (the header): must name the columns of the training file's header in the same order, as the loader reads columns by position, but field 1 is '");
    }

    [TestMethod]
    public void Tune_checks_the_text_data_before_it_trains_too()
    {
        var d = Write(Rows(100, 1), With(Rows(40, 2), 12, "1.5,0.25,setosa,x5"));
        string config = Path.Combine(TinySweep.NewFolder("tune-cfg"), "tune.yaml");
        File.WriteAllText(config, $"""
            name: text-tune
            dataset:
              kind: text
              path: {d.Folder}
              train_file: train.csv
              test_file: test.csv
              label_column: species
            model:
              kind: mlp
              hidden: [16]
            epochs: 3
            seeds: 1
            tune:
            {WideMinima.Tests.Tuning.TuneCliTests.GoodTune}
            """);
        string folder = Path.Combine(TinySweep.NewFolder("tune-refused"), "tune");
        var (code, output, error) = TinySweep.Run("tune", "--config", config, "--out", folder);
        Assert.AreEqual(2, code, output + error);
        Assert.AreEqual($"error: the test file '{d.Test}', line 12, column 'x3' (field 4): a feature must be a number (like 3, -0.25 or 1.5e-3), but was 'x5'.", error.Trim());
        Assert.IsFalse(File.Exists(Path.Combine(folder, SqlLedger.FileName)), "no job may start");
    }

    [TestMethod]
    public void A_good_text_dataset_with_quotes_comments_blank_lines_a_bom_and_crlf_still_trains()
    {
        // A quoted label holds the separator; the loader reads it as one field, as the check does.
        var train = Rows(200, 1, i => i % 2 == 0 ? "\"setosa, wild\"" : "virginica");
        var test = Rows(60, 2, i => i % 2 == 0 ? "\"setosa, wild\"" : "virginica");
        train.Insert(0, "# exported by a tool");
        train.Insert(50, "");
        var d = Write(train, test, "\r\n");
        File.WriteAllBytes(d.Test, [.. System.Text.Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(d.Test)]);
        string folder = TinySweep.NewFolder("text-good");
        var (code, output, error) = TinySweep.Run("run", "--config", TinySweep.WriteConfig(Config(Text(d)), TinySweep.NewFolder("cfg")), "--out", folder);
        Assert.AreEqual(0, code, output + error);
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        var runs = ledger.Runs();
        Assert.HasCount(2, runs);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.TestAccuracy > 0.9), string.Join("; ", runs.Select(r => $"{r.RunId} {r.Status} {r.TestAccuracy} {r.Error}")));
    }

    [TestMethod]
    public void What_the_check_accepts_the_loader_reads_as_the_same_finite_numbers_and_labels()
    {
        // Edge cells the check accepts, each with the value it spells; read back through SweepData.Load (TextLoader).
        string[] cells = ["1.5", " 2.5", "3.5 ", "+.5", "-7.", "1e3", "1E-3", "-2.5e+2", "000123", "\"4.25\"", " \"-1\" ", "3.3e38", "-0", "0.0000001", "12345678901234567890"];
        string[] labels = ["\"a, b\"", "\"say \"\"hi\"\"\"", " c", "d ", "#e"];
        var lines = new List<string> { "\"label\" ,v" };
        for (int i = 0; i < cells.Length; i++) lines.Add($"{labels[i % labels.Length]},{cells[i]}");
        var d = Write(lines, lines);
        var dataset = Text(d) with { LabelColumn = "label" };
        SweepData.CheckExists(dataset);

        var data = SweepData.Load(new MLContext(seed: 0), dataset);
        var features = data.Train.GetColumn<float[]>(data.Train.Schema["Features"]).Select(f => f.Single()).ToArray();
        var keys = data.Train.GetColumn<uint>(data.Train.Schema["Label"]).ToArray();
        VBuffer<ReadOnlyMemory<char>> names = default;
        data.Train.Schema["Label"].GetKeyValues(ref names);
        var read = keys.Select(k => names.GetValues()[(int)k - 1].ToString()).ToArray();

        Assert.HasCount(cells.Length, features);
        for (int i = 0; i < cells.Length; i++)
        {
            float expected = float.Parse(cells[i].Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.IsTrue(float.IsFinite(features[i]), $"'{cells[i]}' read as {features[i]}");
            Assert.AreEqual(expected, features[i], Math.Abs(expected) * 1e-6, $"'{cells[i]}'");
        }
        string[] expectedLabels = ["a, b", "say \"hi\"", "c", "d ", "#e"];
        for (int i = 0; i < cells.Length; i++) Assert.AreEqual(expectedLabels[i % expectedLabels.Length], read[i], $"row {i + 1}");
    }

    [TestMethod]
    public void What_the_check_refuses_the_loader_would_read_as_NaN_an_infinity_zero_or_a_missing_label()
    {
        // Loaded without the check (a worker's Load only finds the files): what each refused cell would become.
        string[] cells = ["x5", "NaN", "?", "NA", "Infinity", "-Infinity", "∞", "1e39", "", "1,5", "1e", "0x10", "1.5.2", "- 1", "\"1.5", "\"1\"2", "１"];
        var lines = new List<string> { "label;v" };
        lines.AddRange(cells.Select(c => $"a;{c}"));
        lines.Add("b;1");
        var d = Write(lines, lines);
        var dataset = Text(d) with { LabelColumn = "label", Separator = ";" };
        var data = SweepData.Load(new MLContext(seed: 0), dataset);
        var features = data.Train.GetColumn<float[]>(data.Train.Schema["Features"]).Select(f => f.Single()).ToArray();
        for (int i = 0; i < cells.Length; i++)
        {
            Assert.IsTrue(!float.IsFinite(features[i]) || (cells[i].Length == 0 && features[i] == 0) || cells[i].StartsWith('"'),
                $"'{cells[i]}' read as {features[i]}");
            var e = Assert.ThrowsExactly<SweepConfigException>(() => TextDataCheck.Check(
                new TextDataFile(TextDataFile.TrainingRole, "train.csv", () => new StringReader($"label;v\na;1\nb;{cells[i]}\n")),
                new TextDataFile(TextDataFile.TestRole, "test.csv", () => new StringReader("label;v\na;1\n")), ';', "label"), cells[i]);
            StringAssert.StartsWith(e.Message, "the training file 'train.csv', line 3, column 'v' (field 2): ", cells[i]);
        }
        // Quoting faults: the loader reads the field as empty (0), which is why they are refused.
        Assert.AreEqual(0f, features[Array.IndexOf(cells, "\"1.5")]);
        Assert.AreEqual(0f, features[Array.IndexOf(cells, "\"1\"2")]);

        // Labels: an empty one, and one only the test file has, become the missing key 0 that no class matches.
        var labelLines = new List<string> { "label,v", ",1", "a,2", "b,3" };
        var labelData = SweepData.Load(new MLContext(seed: 0), Text(Write(labelLines, ["label,v", "c,1"])) with { LabelColumn = "label" });
        CollectionAssert.AreEqual(new uint[] { 0, 1, 2 }, labelData.Train.GetColumn<uint>(labelData.Train.Schema["Label"]).ToArray());
        CollectionAssert.AreEqual(new uint[] { 0 }, labelData.Test.GetColumn<uint>(labelData.Test.Schema["Label"]).ToArray());
    }

    [TestMethod]
    [DataRow("1.5", nameof(FeatureCellKind.Number))]
    [DataRow("  -0.25e-3\t", nameof(FeatureCellKind.Number))]
    [DataRow("5.", nameof(FeatureCellKind.Number))]
    [DataRow(".5", nameof(FeatureCellKind.Number))]
    [DataRow("3.39e38", nameof(FeatureCellKind.Number))]
    [DataRow("0.00000000000000000000000000000000000000000000000000001e90", nameof(FeatureCellKind.Number))]
    [DataRow("3.5e38", nameof(FeatureCellKind.OutOfRange))]
    [DataRow("-1e400", nameof(FeatureCellKind.OutOfRange))]
    [DataRow("1000000000000000000000000000000000000000", nameof(FeatureCellKind.OutOfRange))]
    [DataRow("", nameof(FeatureCellKind.Empty))]
    [DataRow("   ", nameof(FeatureCellKind.Empty))]
    [DataRow("nan", nameof(FeatureCellKind.NotFinite))]
    [DataRow("N/A", nameof(FeatureCellKind.NotFinite))]
    [DataRow("-inf", nameof(FeatureCellKind.NotFinite))]
    [DataRow(".", nameof(FeatureCellKind.NotANumber))]
    [DataRow("+", nameof(FeatureCellKind.NotANumber))]
    [DataRow("1e+", nameof(FeatureCellKind.NotANumber))]
    [DataRow("1 2", nameof(FeatureCellKind.NotANumber))]
    [DataRow("1_000", nameof(FeatureCellKind.NotANumber))]
    [DataRow("٣", nameof(FeatureCellKind.NotANumber))]
    public void Feature_cells_are_classified(string cell, string kind) => Assert.AreEqual(Enum.Parse<FeatureCellKind>(kind), FeatureCell.Classify(cell), cell);

    [TestMethod]
    public void Fields_split_as_the_loader_splits_them()
    {
        static string[] Split(string line, char separator)
        {
            var fields = new List<TextField>();
            TextFields.Split(line, separator, fields);
            return [.. fields.Select(f => (f.Fault == QuotingFault.None ? "" : f.Fault + ":") + f.Value(line).ToString())];
        }
        CollectionAssert.AreEqual(new[] { "a", "b ", "" }, Split("a,  b ,", ','));
        CollectionAssert.AreEqual(new[] { "a,b", "c\"d", "" }, Split("\"a,b\" ,\"c\"\"d\",\"\"", ','));
        CollectionAssert.AreEqual(new[] { "x", "Unclosed:" }, Split("x,\"open", ','));
        CollectionAssert.AreEqual(new[] { "TextAfterQuote:", "y" }, Split("\"a\"b,y", ','));
        CollectionAssert.AreEqual(new[] { "a", "", "b" }, Split("a  b", ' '));
        CollectionAssert.AreEqual(new[] { "a b", "c" }, Split("\"a b\" c", ' '));
        CollectionAssert.AreEqual(new[] { "a\"b", "c" }, Split("a\"b\tc", '\t'));
    }

    [TestMethod]
    public void Line_numbers_count_every_line_of_the_file_and_the_test_header_must_match()
    {
        static TextDataFile File(string role, string text) => new(role, role == TextDataFile.TrainingRole ? "train.csv" : "test.csv", () => new StringReader(text));
        var e = Assert.ThrowsExactly<SweepConfigException>(() => TextDataCheck.Check(
            File(TextDataFile.TrainingRole, "\n# made by hand\nv,label\n1,a\n\n// a comment the loader skips\n2,b\n#3,a\n"),
            File(TextDataFile.TestRole, "v,label\n1,a\n"), ',', "label"));
        Assert.AreEqual("the training file 'train.csv', line 8, column 'v' (field 1): a feature must be a number (like 3, -0.25 or 1.5e-3), but was '#3'.", e.Message);

        var swapped = Assert.ThrowsExactly<SweepConfigException>(() => TextDataCheck.Check(
            File(TextDataFile.TrainingRole, "v,label\n1,a\n2,b\n"), File(TextDataFile.TestRole, "label,v\na,1\n"), ',', "label"));
        Assert.AreEqual("the test file 'test.csv', line 1 (the header): must name the columns of the training file's header in the same order, as the loader reads columns by position, but field 1 is 'label' where the training file has 'v'.", swapped.Message);

        var wide = Assert.ThrowsExactly<SweepConfigException>(() => TextDataCheck.Check(
            File(TextDataFile.TrainingRole, string.Join(',', Enumerable.Range(0, 20).Select(i => $"c{i}")) + "\n"), File(TextDataFile.TestRole, ""), ',', "label"));
        Assert.AreEqual("dataset.label_column: must name a column of the training file 'train.csv' (its header, line 1, has c0, c1, c2, c3, c4, c5, c6, c7 and 12 more), but was 'label'.", wide.Message);

        var quote = Assert.ThrowsExactly<SweepConfigException>(() => TextDataCheck.Check(
            File(TextDataFile.TrainingRole, "v\"label\n"), File(TextDataFile.TestRole, ""), '"', "label"));
        Assert.AreEqual("dataset.separator: must not be the double quote, which encloses quoted values, but was '\"'.", quote.Message);

        var one = Assert.ThrowsExactly<SweepConfigException>(() => TextDataCheck.Check(
            File(TextDataFile.TrainingRole, "v,label\n1,a\n2,a\n"), File(TextDataFile.TestRole, "v,label\n1,a\n"), ',', "label"));
        Assert.AreEqual("the training file 'train.csv' has one label, 'a', in all 2 rows; a classifier needs at least two.", one.Message);

        var shape = TextDataCheck.Check(File(TextDataFile.TrainingRole, "v,label\n1,b\n2,a\n3,b\n"), File(TextDataFile.TestRole, "v,label\n1,a\n"), ',', "label");
        CollectionAssert.AreEqual(new[] { "b", "a" }, shape.Labels.ToArray());
        Assert.AreEqual(3, shape.TrainRows);
        Assert.AreEqual(1, shape.TestRows);
    }

    [TestMethod]
    public void A_truncated_idx_file_exits_2_before_any_run_and_idx_labels_are_checked()
    {
        string data = TinySweep.Dataset(train: 60, test: 30);
        var images = IdxFile.ReadImages(Path.Combine(data, "test-images.gz"));
        IdxFile.WriteImages(Path.Combine(data, "test-images.idx"), images);
        var bytes = File.ReadAllBytes(Path.Combine(data, "test-images.idx"));
        File.WriteAllBytes(Path.Combine(data, "test-images.idx"), bytes[..^10]);
        var dataset = TinySweep.Config(data).Dataset with { TestImages = "test-images.idx" };
        Assert.AreEqual("error: dataset.test_images: must be a readable IDX file (test-images.idx: truncated; expected 30 images of 8 x 8 pixels (1920 bytes) as the header promises, but the file ended after 1910 of 1920 bytes), but was 'test-images.idx'.",
            Refused(dataset));

        // In process: one label per image, and no test label beyond the training labels.
        IdxFile.WriteLabels(Path.Combine(data, "short-labels.gz"), new byte[29]);
        var fewer = Assert.ThrowsExactly<SweepConfigException>(() => SweepData.CheckExists(TinySweep.Config(data).Dataset with { TestLabels = "short-labels.gz" }));
        Assert.AreEqual("dataset.test_labels: must hold one label per image of 'test-images.gz' (30 images; it has 29 labels), but was 'short-labels.gz'.", fewer.Message);
        var unseen = new byte[30];
        unseen[7] = 3;
        IdxFile.WriteLabels(Path.Combine(data, "unseen-labels.gz"), unseen);
        var beyond = Assert.ThrowsExactly<SweepConfigException>(() => SweepData.CheckExists(TinySweep.Config(data).Dataset with { TestLabels = "unseen-labels.gz" }));
        Assert.AreEqual("dataset.test_labels: must hold only the training labels' classes 0..2 (its example 8 has label 3), but was 'unseen-labels.gz'.", beyond.Message);
        SweepData.CheckExists(TinySweep.Config(data).Dataset);
    }
}
