using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>
/// summary.md: one row per setting with means, spreads and 95% intervals, the best setting, and Knee against the
/// baselines. The numbers are <see cref="SweepSummary"/>'s and the text its <see cref="SweepSummary.Blocks"/>, which
/// the dashboard shows too.
/// </summary>
public static class SummaryWriter
{
    /// <summary>The markdown text.</summary>
    public static string Markdown(string name, IReadOnlyList<LedgerRun> runs) => Markdown(SweepSummary.From(name, runs));

    /// <summary>The markdown text of a computed summary.</summary>
    public static string Markdown(SweepSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return MarkdownBlocks.Render(summary.Blocks());
    }
}
