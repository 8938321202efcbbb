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
    /// <param name="name">The sweep's name.</param>
    /// <param name="runs">Every run of the sweep.</param>
    /// <param name="match">Compute to match's reference and margin (the config's <c>match:</c>); null: <c>new MatchOptions()</c>.</param>
    /// <param name="seeds">The seeds rounds (the config's <c>seeds: {min, max, target_ci}</c>), or null for a plain seed count.</param>
    /// <param name="epochs">The sweep's epochs (of a full-budget run), or null: compute is then counted in full-budget runs.</param>
    public static string Markdown(string name, IReadOnlyList<LedgerRun> runs, MatchOptions? match = null, SeedRounds? seeds = null, int? epochs = null) =>
        Markdown(SweepSummary.From(name, runs, match, seeds, epochs));

    /// <summary>The markdown text of a computed summary.</summary>
    public static string Markdown(SweepSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return MarkdownBlocks.Render(summary.Blocks());
    }
}
