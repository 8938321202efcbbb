using System.Text;
using System.Text.Json.Serialization;

namespace WideMinima.Reports;

/// <summary>
/// One piece of a report as plain data: a heading, a paragraph, a table of formatted cells, or a chart's numbers.
/// A report is a list of blocks that every renderer shows in order: summary.md renders them as markdown, the dashboard
/// as HTML (from their JSON), so both show the very same cells. A new section of a report is new blocks, nothing else.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HeadingBlock), "heading")]
[JsonDerivedType(typeof(ParagraphBlock), "paragraph")]
[JsonDerivedType(typeof(TableBlock), "table")]
[JsonDerivedType(typeof(ChartBlock), "chart")]
public abstract record ReportBlock;

/// <summary>A heading.</summary>
/// <param name="Level">1 for the report's title, 2 for a section.</param>
/// <param name="Text">The heading's text.</param>
public sealed record HeadingBlock(int Level, string Text) : ReportBlock;

/// <summary>A paragraph; <c>**text**</c> marks bold text.</summary>
/// <param name="Text">The paragraph.</param>
public sealed record ParagraphBlock(string Text) : ReportBlock;

/// <summary>How a table column is aligned.</summary>
public enum ColumnAlign
{
    /// <summary>Text: left.</summary>
    [JsonStringEnumMemberName("left")] Left,
    /// <summary>Numbers: right.</summary>
    [JsonStringEnumMemberName("right")] Right,
}

/// <summary>A table of formatted cells (numbers already written as the report writes them).</summary>
/// <param name="Columns">Column headers.</param>
/// <param name="Align">Each column's alignment.</param>
/// <param name="Rows">The rows, one cell per column.</param>
public sealed record TableBlock(IReadOnlyList<string> Columns, IReadOnlyList<ColumnAlign> Align, IReadOnlyList<IReadOnlyList<string>> Rows) : ReportBlock
{
    /// <summary>An optional id, for renderers that single a table out (e.g. <c>summary</c>).</summary>
    public string? Id { get; init; }
}

/// <summary>How a chart draws a series.</summary>
public enum SeriesStyle
{
    /// <summary>A line through the points.</summary>
    [JsonStringEnumMemberName("line")] Line,
    /// <summary>Points only.</summary>
    [JsonStringEnumMemberName("points")] Points,
    /// <summary>A line with markers.</summary>
    [JsonStringEnumMemberName("line-points")] LinePoints,
    /// <summary>A dashed line (a baseline), with its band between <see cref="ChartSeries.Low"/> and <see cref="ChartSeries.High"/>.</summary>
    [JsonStringEnumMemberName("dashed")] Dashed,
}

/// <summary>A chart's numbers: series of (x, y) points; renderers draw them (the dashboard with uPlot).</summary>
/// <param name="Title">The chart's title.</param>
/// <param name="XLabel">The x axis.</param>
/// <param name="YLabel">The y axis.</param>
/// <param name="Series">The series.</param>
public sealed record ChartBlock(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series) : ReportBlock
{
    /// <summary>A logarithmic x axis (peak learning rates).</summary>
    public bool LogX { get; init; }

    /// <summary>The label of a second y axis on the right, for series with <see cref="ChartSeries.RightAxis"/>.</summary>
    public string? Y2Label { get; init; }

    /// <summary>An optional id, for renderers and tests that single a chart out.</summary>
    public string? Id { get; init; }
}

/// <summary>One series of a chart. Non-finite values are gaps.</summary>
/// <param name="Name">The legend's label.</param>
/// <param name="X">The x values.</param>
/// <param name="Y">The y values, one per x.</param>
/// <param name="Style">How it is drawn.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, SeriesStyle Style)
{
    /// <summary>The band's lower edge per x (a confidence interval or a spread), or null.</summary>
    public IReadOnlyList<double>? Low { get; init; }

    /// <summary>The band's upper edge per x, or null.</summary>
    public IReadOnlyList<double>? High { get; init; }

    /// <summary>Drawn against the chart's second y axis.</summary>
    public bool RightAxis { get; init; }
}

/// <summary>Writes report blocks as markdown: each block followed by a blank line; charts are left to the plots.</summary>
public static class MarkdownBlocks
{
    /// <summary>The markdown text of <paramref name="blocks"/>.</summary>
    public static string Render(IEnumerable<ReportBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var sb = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    sb.Append('#', h.Level).Append(' ').AppendLine(h.Text);
                    break;
                case ParagraphBlock p:
                    sb.AppendLine(p.Text);
                    break;
                case TableBlock t:
                    sb.Append('|').AppendJoin("", t.Columns.Select(c => c.Length == 0 ? " |" : $" {c} |")).AppendLine();
                    sb.Append('|').AppendJoin("", t.Align.Select(a => a == ColumnAlign.Right ? "---:|" : "---|")).AppendLine();
                    foreach (var row in t.Rows) sb.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
                    break;
                case ChartBlock:
                    continue;
                default:
                    throw new ArgumentOutOfRangeException(nameof(blocks), block, "is not a known report block");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
