namespace WideMinima.Reports;

/// <summary>A candidate for the compared pair: whether it is a Knee setting, and its test accuracies over its first seeds.</summary>
/// <param name="IsKnee">True for a Knee setting, false for a baseline.</param>
/// <param name="Values">Its finished, finite test accuracies over the seeds that choose the pair.</param>
public sealed record PairCandidate(bool IsKnee, IReadOnlyList<double> Values);

/// <summary>
/// The two settings the seed rounds compare and the verdict reports on: the best Knee setting and the best baseline.
/// Rule: among the candidates (in plan order), the Knee setting and the baseline with the highest mean of their values;
/// a candidate without values (no peak, or every seed failed) is never chosen; a tie goes to the earlier candidate. The planner (which adds the rounds) and
/// the summary (which reports what stopped them) both call this on the same values: every setting's first
/// <c>min</c> seeds at the largest budget, so the pair is fixed before any round and both name the same pair. Pure.
/// </summary>
public static class ComparedPair
{
    /// <summary>The indices of the best Knee candidate and the best baseline (-1 where no candidate of a kind has values).</summary>
    public static (int Knee, int Baseline) Choose(IReadOnlyList<PairCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return (Best(candidates, knee: true), Best(candidates, knee: false));
    }

    private static int Best(IReadOnlyList<PairCandidate> candidates, bool knee)
    {
        int best = -1;
        double bestMean = double.NegativeInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].IsKnee != knee || candidates[i].Values.Count == 0) continue;
            double mean = candidates[i].Values.Average();
            if (best < 0 || mean > bestMean) (best, bestMean) = (i, mean);
        }
        return best;
    }
}
