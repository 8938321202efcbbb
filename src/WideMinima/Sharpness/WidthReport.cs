namespace WideMinima.Sharpness;

/// <summary>One evaluation of the loss on the sample during the ascent.</summary>
/// <param name="Step">Ascent updates applied before this evaluation (0: the trained weights).</param>
/// <param name="Loss">The mean loss on the sample.</param>
public readonly record struct LossPoint(int Step, double Loss);

/// <summary>The result of a Keskar ε-sharpness measurement. Lower sharpness means a wider minimum.</summary>
public sealed record WidthReport
{
    /// <summary><c>100 (MaxLoss - InitialLoss) / (1 + InitialLoss)</c>.</summary>
    public required double Sharpness { get; init; }

    /// <summary>The loss at the trained weights.</summary>
    public required double InitialLoss { get; init; }

    /// <summary>The highest loss over every evaluated point in the box (not just the last one).</summary>
    public required double MaxLoss { get; init; }

    /// <summary>The loss at the last iterate: the reference reports only this one.</summary>
    public required double FinalLoss { get; init; }

    /// <summary>Ascent steps taken.</summary>
    public required int Steps { get; init; }

    /// <summary>True when the maximum stopped improving (see <see cref="KeskarWidthOptions.Patience"/>).</summary>
    public required bool Converged { get; init; }

    /// <summary>Every evaluation of the loss, in order.</summary>
    public required IReadOnlyList<LossPoint> Trajectory { get; init; }

    /// <summary>Wall time of the measurement.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Examples in the sample the loss was measured on.</summary>
    public required int SampleSize { get; init; }

    /// <summary>The options used.</summary>
    public required KeskarWidthOptions Options { get; init; }
}
