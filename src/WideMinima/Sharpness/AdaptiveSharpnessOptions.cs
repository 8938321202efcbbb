using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Sharpness;

/// <summary>The ball of adaptive sharpness, in weight-scaled coordinates <c>u = δ / |w|</c>.</summary>
public enum AdaptiveNorm
{
    /// <summary>Every weight moves by at most <c>ρ |wᵢ|</c>: <c>‖δ / |w|‖∞ ≤ ρ</c>.</summary>
    [JsonStringEnumMemberName("l_infinity")]
    LInfinity,

    /// <summary>The scaled perturbation has length at most ρ: <c>‖δ / |w|‖₂ ≤ ρ</c>.</summary>
    [JsonStringEnumMemberName("l2")]
    L2,
}

/// <summary>
/// Options of adaptive sharpness (<see cref="AdaptiveSharpness"/>), the worst-case loss rise in a ball scaled by each
/// weight's magnitude (Kwon et al. 2021, ASAM; Andriushchenko et al. 2023), found by projected ascent.
/// </summary>
public sealed class AdaptiveSharpnessOptions
{
    /// <summary>The ball's radius ρ in scaled coordinates. Default 1e-3 (suits <see cref="AdaptiveNorm.LInfinity"/>; an ℓ2 ball needs a larger one, e.g. 0.1).</summary>
    public double Rho { get; set; } = 1e-3;

    /// <summary>The ball's norm. Default <see cref="AdaptiveNorm.LInfinity"/>.</summary>
    public AdaptiveNorm Norm { get; set; } = AdaptiveNorm.LInfinity;

    /// <summary>Ascent steps. Default 20.</summary>
    public int MaxSteps { get; set; } = 20;

    /// <summary>Each step's length as a share of ρ (sign steps for ℓ∞, normalised-gradient steps for ℓ2). Default 0.5.</summary>
    public double StepFraction { get; set; } = 0.5;

    /// <summary>Start from a seeded random point at this share of ρ (0: at the trained weights). Default 0.1.</summary>
    public double RandomStartFraction { get; set; } = 0.1;

    /// <summary>Stop after this many steps that do not raise the maximum; null runs every step. Default 3.</summary>
    public int? Patience { get; set; } = 3;

    /// <summary>Examples drawn (seeded, without replacement) to define the loss; null uses all of them. Default 2048.</summary>
    public int? SampleSize { get; set; } = 2048;

    /// <summary>Examples per forward pass; every step uses the whole sample. Default 2048.</summary>
    public int BatchSize { get; set; } = 2048;

    /// <summary>Seed of the sample and the random start. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and its value.</summary>
    public void Validate()
    {
        Guard.Positive(Rho, nameof(Rho));
        if (!Enum.IsDefined(Norm)) throw Guard.Fail(nameof(Norm), Norm, "must be LInfinity or L2");
        Guard.Positive(MaxSteps, nameof(MaxSteps));
        Guard.Positive(StepFraction, nameof(StepFraction));
        if (StepFraction > 2) throw Guard.Fail(nameof(StepFraction), StepFraction, "must be in (0, 2]");
        Guard.Fraction(RandomStartFraction, nameof(RandomStartFraction));
        if (Patience is int p) Guard.Positive(p, nameof(Patience));
        if (SampleSize is int s) Guard.Positive(s, nameof(SampleSize));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }

    /// <summary>A copy, so that a caller's later edits do not change a recorded measurement.</summary>
    public AdaptiveSharpnessOptions Clone() => (AdaptiveSharpnessOptions)MemberwiseClone();
}

/// <summary>The result of an adaptive-sharpness measurement.</summary>
public sealed record AdaptiveSharpnessReport
{
    /// <summary>The worst-case loss rise found, <c>MaxLoss - InitialLoss</c> (never negative). Lower means flatter.</summary>
    public required double Sharpness { get; init; }

    /// <summary>The loss at the trained weights.</summary>
    public required double InitialLoss { get; init; }

    /// <summary>The highest loss over every evaluated point in the ball.</summary>
    public required double MaxLoss { get; init; }

    /// <summary>Ascent steps taken.</summary>
    public required int Steps { get; init; }

    /// <summary>Every evaluation of the loss, in order (step 0: the start).</summary>
    public required IReadOnlyList<LossPoint> Trajectory { get; init; }

    /// <summary>Examples in the sample.</summary>
    public required int SampleSize { get; init; }

    /// <summary>Wall time.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The options used.</summary>
    public required AdaptiveSharpnessOptions Options { get; init; }
}
