using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Execution;

/// <summary>A text data file to check: its role in messages ("the training file"), its path and how to open it.</summary>
/// <param name="Role">How messages name the file: <c>the training file</c> or <c>the test file</c>.</param>
/// <param name="Path">The path messages show.</param>
/// <param name="Open">Opens the file's text (UTF-8, a byte order mark honoured, as ML.NET's TextLoader reads it).</param>
internal sealed record TextDataFile(string Role, string Path, Func<TextReader> Open)
{
    /// <summary>How messages name the training file.</summary>
    public const string TrainingRole = "the training file";

    /// <summary>How messages name the test file.</summary>
    public const string TestRole = "the test file";

    /// <summary>The file on disk, read as the loader reads it.</summary>
    public static TextDataFile OnDisk(string role, string path) => new(role, path,
        () => new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 }));
}

/// <summary>A header line: the column names, the 1-based line it is on, and where the label column is.</summary>
internal sealed record TextHeader(string[] Columns, long Line, int LabelIndex);

/// <summary>What a checked text dataset holds.</summary>
/// <param name="Header">The training file's header (the test file's is the same).</param>
/// <param name="Labels">The training file's distinct labels in order of first occurrence: the classes.</param>
/// <param name="TrainRows">Rows in the training file.</param>
/// <param name="TestRows">Rows in the test file.</param>
internal sealed record TextDataShape(TextHeader Header, IReadOnlyList<string> Labels, long TrainRows, long TestRows);

/// <summary>
/// The strict check of a text dataset, run once before any training: one streaming pass over the training file,
/// then one over the test file, refusing what ML.NET's <c>TextLoader</c> would read silently wrong (a non-number
/// read as NaN, a missing field read as 0 or a missing label, a test label without a class). It reads lines and
/// fields by the loader's rules as <see cref="SweepData"/> configures it (see <see cref="TextLines"/> and
/// <see cref="TextFields"/>), so a file it accepts is read by the loader as it was checked: every feature a finite
/// number, every label a non-empty string the training file has. Errors are <see cref="SweepConfigException"/>s
/// naming the file, the line, the column and the value.
/// </summary>
internal static class TextDataCheck
{
    private const int ShownLength = 48;
    private const int ShownNames = 3;
    private const int ShownLabels = 10;
    private const int ShownColumns = 8;

    /// <summary>Checks both files; throws <see cref="SweepConfigException"/> at the first problem.</summary>
    public static TextDataShape Check(TextDataFile train, TextDataFile test, char separator, string labelColumn)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(labelColumn);
        var labels = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<string>();
        TextHeader header = null!;
        long trainRows = Read(train, reader =>
        {
            header = ReadHeader(reader, train, separator, labelColumn);
            return CheckRows(reader, train, separator, header, labels, ordered, training: true);
        });
        if (ordered.Count < 2)
            throw new SweepConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{train.Role} '{train.Path}' has one label, '{Shown(ordered[0])}', in all {trainRows} rows; a classifier needs at least two."));
        long testRows = Read(test, reader =>
        {
            var testHeader = ReadHeader(reader, test, separator, labelColumn: null);
            MustMatch(testHeader, header, test, train);
            return CheckRows(reader, test, separator, header, labels, ordered, training: false);
        });
        return new TextDataShape(header, ordered, trainRows, testRows);
    }

    /// <summary>
    /// Reads the header: the first line that is not empty and does not start with <c>#</c> or <c>//</c> (the lines the
    /// loader skips before it). With <paramref name="labelColumn"/>, the label column must be one of its columns.
    /// </summary>
    public static TextHeader ReadHeader(TextLines lines, TextDataFile file, char separator, string? labelColumn)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(file);
        MustBeSeparator(separator);
        string text = lines.ReadHeader()
            ?? throw new SweepConfigException($"{file.Role} '{file.Path}' is empty; it needs a header line naming the columns, then one row per example.");
        var fields = new List<TextField>();
        TextFields.Split(text, separator, fields);
        var names = new string[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            if (fields[i].Fault != QuotingFault.None)
                throw new SweepConfigException($"{file.Role} '{file.Path}', line {lines.Line.ToString(CultureInfo.InvariantCulture)} (the header), field {(i + 1).ToString(CultureInfo.InvariantCulture)}: {QuotingRule(fields[i].Fault, separator)}, but was '{Shown(fields[i].Raw(text))}'.");
            names[i] = fields[i].Value(text).Trim().ToString();
        }
        int labelIndex = labelColumn is null ? -1 : Array.IndexOf(names, labelColumn);
        if (labelColumn is not null && labelIndex < 0)
            throw new SweepConfigException("dataset.label_column", labelColumn,
                $"must name a column of {file.Role} '{file.Path}' (its header, line {lines.Line.ToString(CultureInfo.InvariantCulture)}, has {string.Join(", ", names.Take(ShownColumns))}{(names.Length > ShownColumns ? string.Create(CultureInfo.InvariantCulture, $" and {names.Length - ShownColumns} more") : "")})");
        if (labelColumn is not null && names.Length < 2)
            throw new SweepConfigException("dataset.train_file", file.Path, "must have feature columns besides the label");
        return new TextHeader(names, lines.Line, labelIndex);
    }

    private static long Read(TextDataFile file, Func<TextLines, long> body)
    {
        try
        {
            using var reader = file.Open();
            return body(new TextLines(reader));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SweepConfigException($"{file.Role} '{file.Path}' could not be read: {e.Message}", e);
        }
    }

    private static void MustMatch(TextHeader test, TextHeader train, TextDataFile testFile, TextDataFile trainFile)
    {
        string where = $"{testFile.Role} '{testFile.Path}', line {test.Line.ToString(CultureInfo.InvariantCulture)} (the header)";
        string rule = $"must name the columns of {trainFile.Role}'s header in the same order, as the loader reads columns by position";
        if (test.Columns.Length != train.Columns.Length)
            throw new SweepConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{where}: {rule}, but has {test.Columns.Length} columns where {trainFile.Role} has {train.Columns.Length} ({string.Join(", ", test.Columns.Take(ShownNames + 2).Select(c => $"'{Shown(c)}'"))}{(test.Columns.Length > ShownNames + 2 ? ", ..." : "")})."));
        for (int i = 0; i < train.Columns.Length; i++)
        {
            if (!string.Equals(test.Columns[i], train.Columns[i], StringComparison.Ordinal))
                throw new SweepConfigException(string.Create(CultureInfo.InvariantCulture,
                    $"{where}: {rule}, but field {i + 1} is '{Shown(test.Columns[i])}' where {trainFile.Role} has '{Shown(train.Columns[i])}'."));
        }
    }

    // Optimized at once: the check runs once in a short-lived process, where tier-0 code would run most of the pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CheckRows(TextLines lines, TextDataFile file, char separator, TextHeader header, HashSet<string> labels, List<string> ordered, bool training)
    {
        var fields = new List<TextField>(header.Columns.Length + 1);
        var known = labels.GetAlternateLookup<ReadOnlySpan<char>>();
        string[] names = header.Columns;
        long rows = 0;
        while (lines.ReadRow() is string text)
        {
            TextFields.Split(text, separator, fields);
            if (fields.Count != names.Length) throw FieldCount(file, lines.Line, header, text, fields, separator);
            for (int j = 0; j < fields.Count; j++)
            {
                var field = fields[j];
                if (field.Fault != QuotingFault.None)
                    throw Cell(file, lines.Line, names, j, $"{QuotingRule(field.Fault, separator)}, but was '{Shown(field.Raw(text))}'");
                var value = field.Value(text);
                if (j == header.LabelIndex)
                {
                    if (value.IsWhiteSpace())
                        throw Cell(file, lines.Line, names, j, "the label is empty; every row needs one");
                    if (training)
                    {
                        if (!known.Contains(value))
                        {
                            string label = value.ToString();
                            labels.Add(label);
                            ordered.Add(label);
                        }
                    }
                    else if (!known.Contains(value))
                    {
                        throw Cell(file, lines.Line, names, j, string.Create(CultureInfo.InvariantCulture,
                            $"the label '{Shown(value.ToString())}' never occurs in the training file, whose labels are the classes ({ordered.Count}: {string.Join(", ", ordered.Take(ShownLabels).Select(l => $"'{Shown(l)}'"))}{(ordered.Count > ShownLabels ? ", ..." : "")})"));
                    }
                    continue;
                }
                var kind = FeatureCell.Classify(value);
                if (kind != FeatureCellKind.Number) throw Cell(file, lines.Line, names, j, FeatureRule(kind, field.Raw(text)));
            }
            rows++;
        }
        if (rows == 0)
            throw new SweepConfigException($"{file.Role} '{file.Path}' has a header (line {header.Line.ToString(CultureInfo.InvariantCulture)}) but no rows.");
        return rows;
    }

    private static string FeatureRule(FeatureCellKind kind, string raw) => kind switch
    {
        FeatureCellKind.Empty => "a feature must be a number, but the cell is empty (a missing value: fill it in or drop the row)",
        FeatureCellKind.NotFinite => $"a feature must be a finite number (NaN, NA, ? and infinities are refused), but was '{Shown(raw)}'",
        FeatureCellKind.OutOfRange => $"a feature must fit a 32-bit float (magnitude below 3.4e38), but was '{Shown(raw)}'",
        FeatureCellKind.NotANumber => $"a feature must be a number (like 3, -0.25 or 1.5e-3), but was '{Shown(raw)}'",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a refused kind of cell"),
    };

    private static string QuotingRule(QuotingFault fault, char separator) => fault switch
    {
        QuotingFault.Unclosed => "a value that opens a double quote must close it on the same line",
        QuotingFault.TextAfterQuote => $"after a closing double quote only spaces may come before the separator '{separator}'",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a fault"),
    };

    private static SweepConfigException Cell(TextDataFile file, long line, string[] names, int index, string rule) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file.Role} '{file.Path}', line {line}, {Column(names, index)}: {rule}."));

    private static SweepConfigException FieldCount(TextDataFile file, long line, TextHeader header, string text, List<TextField> fields, char separator)
    {
        string[] names = header.Columns;
        int count = fields.Count;
        string start = string.Create(CultureInfo.InvariantCulture,
            $"{file.Role} '{file.Path}', line {line}: has {count} {(count == 1 ? "field" : "fields")}, but the header (line {header.Line}) has {names.Length}");
        if (count < names.Length)
        {
            var missing = names.Skip(count).Select(n => $"'{Shown(n)}'").ToList();
            string list = missing.Count <= ShownNames
                ? string.Join(", ", missing)
                : string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", missing.Take(ShownNames))} and {missing.Count - ShownNames} more");
            return new SweepConfigException(
                $"{start}; the row ends after {Column(names, count - 1)} with '{Shown(fields[count - 1].Raw(text))}', so {list} {(missing.Count == 1 ? "has" : "have")} no value.");
        }
        return new SweepConfigException(
            $"{start}; the first extra field, after {Column(names, names.Length - 1)}, is '{Shown(fields[names.Length].Raw(text))}' (a value holding the separator '{separator}' must be in double quotes).");
    }

    private static string Column(string[] names, int index) => names[index].Length == 0
        ? string.Create(CultureInfo.InvariantCulture, $"field {index + 1} (unnamed)")
        : string.Create(CultureInfo.InvariantCulture, $"column '{Shown(names[index])}' (field {index + 1})");

    private static string Shown(string value) => value.Length <= ShownLength ? value : value[..ShownLength] + "...";

    private static void MustBeSeparator(char separator)
    {
        if (separator == TextFields.Quote)
            throw new SweepConfigException("dataset.separator", "\"", "must not be the double quote, which encloses quoted values");
        if (separator is '\r' or '\n')
            throw new SweepConfigException("dataset.separator", separator == '\r' ? "\\r" : "\\n", "must not end lines");
    }
}

/// <summary>
/// Reads lines as ML.NET's <c>TextLoader</c> does without multi-line fields: the header is the first line that is not
/// empty and does not start with <c>#</c> or <c>//</c>; after it, empty lines and lines starting with <c>//</c> are
/// skipped (a line starting with <c>#</c> is a row). <see cref="Line"/> is the 1-based line number of the last line read.
/// </summary>
internal sealed class TextLines(TextReader reader)
{
    /// <summary>The 1-based number of the line last read.</summary>
    public long Line { get; private set; }

    /// <summary>The header line, or null when the file has none.</summary>
    public string? ReadHeader()
    {
        while (reader.ReadLine() is string text)
        {
            Line++;
            if (text.Length > 0 && text[0] != '#' && !text.StartsWith("//", StringComparison.Ordinal)) return text;
        }
        return null;
    }

    /// <summary>The next row, or null at the end.</summary>
    public string? ReadRow()
    {
        while (reader.ReadLine() is string text)
        {
            Line++;
            if (text.Length == 0 || (text.Length >= 2 && text[0] == '/' && text[1] == '/')) continue;
            return text;
        }
        return null;
    }
}

/// <summary>What is wrong with a quoted value, if anything.</summary>
internal enum QuotingFault
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>The closing quote is missing on this line.</summary>
    Unclosed,

    /// <summary>Text other than spaces follows the closing quote before the separator.</summary>
    TextAfterQuote,
}

/// <summary>One field of a line: where it is, its value if it was quoted, and any quoting fault.</summary>
/// <param name="Start">Where the field's text starts (after leading spaces).</param>
/// <param name="End">Where it ends (the separator or the line's end).</param>
/// <param name="Quoted">The unquoted value of a quoted field ("" for a faulty one); null for an unquoted field.</param>
/// <param name="Fault">The quoting fault, if any.</param>
internal readonly record struct TextField(int Start, int End, string? Quoted, QuotingFault Fault)
{
    /// <summary>The value the loader reads.</summary>
    public ReadOnlySpan<char> Value(string line) => Quoted is null ? line.AsSpan(Start, End - Start) : Quoted.AsSpan();

    /// <summary>The field as written in the file, for messages.</summary>
    public string Raw(string line) => line[Start..End];
}

/// <summary>
/// Splits a line into fields by the rules of ML.NET's <c>TextLoader</c> with <c>AllowQuoting</c> on (its
/// <c>FetchNextField</c>): unless the separator is a space, spaces before a field are skipped; a field that then starts
/// with a double quote runs to the closing quote (<c>""</c> inside is one quote, a separator inside is text) and only
/// spaces may follow it before the separator; any other field runs to the next separator, trailing spaces included.
/// A line ending in a separator ends with an empty field.
/// </summary>
internal static class TextFields
{
    /// <summary>The quote character.</summary>
    public const char Quote = '"';

    /// <summary>Splits <paramref name="line"/> into <paramref name="fields"/> (cleared first).</summary>
    // Optimized at once: the check runs once in a short-lived process, where tier-0 code would run most of the pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Split(string line, char separator, List<TextField> fields)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        bool separatorIsSpace = separator == ' ';
        int n = line.Length, i = 0;
        StringBuilder? quoted = null;
        for (; ; )
        {
            if (!separatorIsSpace)
            {
                while (i < n && line[i] == ' ') i++;
            }
            int start = i;
            if (i >= n)
            {
                fields.Add(new TextField(i, i, null, QuotingFault.None));
                return;
            }
            if (line[i] == Quote)
            {
                var fault = QuotingFault.None;
                quoted ??= new StringBuilder();
                quoted.Clear();
                int run = ++i;
                for (; ; i++)
                {
                    if (i >= n)
                    {
                        fault = QuotingFault.Unclosed;
                        break;
                    }
                    if (line[i] == Quote)
                    {
                        quoted.Append(line, run, i - run);
                        if (++i >= n || line[i] != Quote) break;
                        run = i;
                    }
                }
                for (; i < n; i++)
                {
                    if (line[i] == ' ')
                    {
                        if (separatorIsSpace) break;
                    }
                    else if (line[i] == separator)
                    {
                        break;
                    }
                    else
                    {
                        fault = QuotingFault.TextAfterQuote;
                    }
                }
                fields.Add(new TextField(start, i, fault != QuotingFault.None ? "" : quoted.ToString(), fault));
            }
            else
            {
                while (i < n && line[i] != separator) i++;
                fields.Add(new TextField(start, i, null, QuotingFault.None));
            }
            if (i >= n) return;
            i++;
        }
    }
}

/// <summary>How a feature cell reads.</summary>
internal enum FeatureCellKind
{
    /// <summary>A finite number within a 32-bit float's range.</summary>
    Number,

    /// <summary>Nothing but white space (the loader would read 0).</summary>
    Empty,

    /// <summary>A spelled missing or infinite value: NaN, NA, N/A, ?, Infinity, inf, ∞.</summary>
    NotFinite,

    /// <summary>A number beyond a 32-bit float's range (the loader would read an infinity).</summary>
    OutOfRange,

    /// <summary>Anything else (the loader would read NaN).</summary>
    NotANumber,
}

/// <summary>
/// Classifies a feature cell. A number is, between optional white space, an optional sign, digits with an optional
/// '.' and fraction (or a '.' and digits), and an optional exponent (e or E, an optional sign, digits): a subset of
/// what ML.NET's float parser reads, and each such number it reads as the finite value the text spells.
/// </summary>
internal static class FeatureCell
{
    // Below 1e38 a number is certainly finite as a float; above, it is parsed to compare with the float range.
    private const int SafeDecimalDigits = 38;
    private const double FloatLimit = 3.4e38;

    /// <summary>Classifies one cell's text.</summary>
    // Optimized at once: the check runs once in a short-lived process, where tier-0 code would run most of the pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FeatureCellKind Classify(ReadOnlySpan<char> cell)
    {
        var s = cell.Trim();
        if (s.IsEmpty) return FeatureCellKind.Empty;
        int i = 0, n = s.Length;
        if (s[i] is '+' or '-') i++;
        int significant = 0;
        bool digits = false;
        for (; i < n && char.IsAsciiDigit(s[i]); i++)
        {
            digits = true;
            if (significant > 0 || s[i] != '0') significant++;
        }
        if (i < n && s[i] == '.')
        {
            for (i++; i < n && char.IsAsciiDigit(s[i]); i++) digits = true;
        }
        if (!digits) return IsSpelledNonFinite(s) ? FeatureCellKind.NotFinite : FeatureCellKind.NotANumber;
        long exponent = 0;
        if (i < n && s[i] is 'e' or 'E')
        {
            i++;
            bool negative = false;
            if (i < n && s[i] is '+' or '-') negative = s[i++] == '-';
            if (i >= n || !char.IsAsciiDigit(s[i])) return FeatureCellKind.NotANumber;
            for (; i < n && char.IsAsciiDigit(s[i]); i++) exponent = Math.Min(exponent * 10 + (s[i] - '0'), 1_000_000);
            if (negative) exponent = -exponent;
        }
        if (i != n) return FeatureCellKind.NotANumber;
        // The value is below 10^(significant integer digits + exponent).
        if (significant + exponent <= SafeDecimalDigits) return FeatureCellKind.Number;
        return double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture) is var v && Math.Abs(v) < FloatLimit
            ? FeatureCellKind.Number : FeatureCellKind.OutOfRange;
    }

    private static bool IsSpelledNonFinite(ReadOnlySpan<char> s)
    {
        if (s[0] is '+' or '-') s = s[1..];
        foreach (string word in (ReadOnlySpan<string>)["nan", "na", "n/a", "?", "inf", "infinity", "∞"])
        {
            if (s.Equals(word, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
