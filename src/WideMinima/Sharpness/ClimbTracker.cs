namespace WideMinima.Sharpness;

/// <summary>
/// The bookkeeping of the width ascent, free of tensors: the highest loss seen, whether an evaluation improved on
/// it by enough to count, and when patience runs out. <see cref="KeskarWidth"/> feeds it each evaluation.
/// </summary>
/// <remarks>
/// The maximum is always the highest loss evaluated. An evaluation counts as an improvement only when it beats the
/// maximum by more than <see cref="ImprovementTolerance"/> times the climb so far (<c>max - initial</c>, at least 0):
/// a tiny rise still raises the maximum, but does not reset the patience count.
/// </remarks>
internal sealed class ClimbTracker
{
    /// <summary>Starts at the loss of the trained weights.</summary>
    /// <param name="initial">The loss at the trained weights.</param>
    /// <param name="improvementTolerance">The share of the climb so far a new maximum must add to count; 0 counts any rise.</param>
    /// <param name="patience">Stop after this many evaluations in a row without an improvement; 0 never stops.</param>
    public ClimbTracker(double initial, double improvementTolerance, int patience)
    {
        if (!double.IsFinite(initial)) throw new ArgumentOutOfRangeException(nameof(initial), initial, "must be a finite loss");
        if (!double.IsFinite(improvementTolerance) || improvementTolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(improvementTolerance), improvementTolerance, "must be a finite number >= 0");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        Initial = initial;
        Maximum = initial;
        ImprovementTolerance = improvementTolerance;
        Patience = patience;
    }

    /// <summary>The loss at the trained weights.</summary>
    public double Initial { get; }

    /// <summary>The highest loss recorded so far (at least <see cref="Initial"/>).</summary>
    public double Maximum { get; private set; }

    /// <summary>The share of the climb so far that a new maximum must add to count as an improvement.</summary>
    public double ImprovementTolerance { get; }

    /// <summary>Evaluations in a row without an improvement that stop the ascent; 0 never stops.</summary>
    public int Patience { get; }

    /// <summary>Evaluations since the last improvement.</summary>
    public int SinceImprovement { get; private set; }

    /// <summary>Evaluations recorded.</summary>
    public int Evaluations { get; private set; }

    /// <summary>True once <see cref="Patience"/> evaluations in a row did not improve (never when patience is 0).</summary>
    public bool ShouldStop => Patience > 0 && SinceImprovement >= Patience;

    /// <summary>True when the last <paramref name="window"/> evaluations did not improve.</summary>
    public bool HasPlateaued(int window) => SinceImprovement >= window;

    /// <summary>Records one evaluation of the loss; returns whether it counted as an improvement.</summary>
    public bool Record(double loss)
    {
        Evaluations++;
        double climb = Math.Max(Maximum - Initial, 0);
        bool improved = loss > Maximum + ImprovementTolerance * climb && loss > Maximum;
        if (loss > Maximum) Maximum = loss;
        SinceImprovement = improved ? 0 : SinceImprovement + 1;
        return improved;
    }
}
