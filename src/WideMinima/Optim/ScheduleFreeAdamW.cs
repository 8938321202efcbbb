using TorchSharp.Modules;
using WideMinima.Internal;
using static TorchSharp.torch;

namespace WideMinima.Optim;

/// <summary>
/// Schedule-Free AdamW (Defazio et al. 2024, arXiv 2405.15682): with <c>γ = lr · sqrt(1 − β2^(k+1))</c> (the bias
/// correction folded into the rate), <c>z ← z − γ λ y</c> (decoupled decay at y), <c>v ← β2 v + (1 − β2) g²</c>,
/// <c>z ← z − γ g / (sqrt(v) + ε)</c>, then the averaging and interpolation of <see cref="ScheduleFreeOptimizer"/>
/// with β = β1. There is no first moment: β1's momentum is the interpolation. Use it as <c>torch.optim.AdamW</c>, and
/// call <see cref="ScheduleFreeOptimizer.Eval"/> before evaluating or saving and <see cref="ScheduleFreeOptimizer.Train"/>
/// before training again.
/// </summary>
public sealed class ScheduleFreeAdamW : ScheduleFreeOptimizer
{
    /// <summary>Creates the optimizer; every parameter's z and x start at its current value, its second moment at 0.</summary>
    /// <param name="parameters">The parameters to optimize (one group).</param>
    /// <param name="learningRate">The rate (a scheduler may change the group's rate between steps).</param>
    /// <param name="beta1">The interpolation β of <c>y = β x + (1 − β) z</c>, strictly between 0 and 1. Default 0.9.</param>
    /// <param name="beta2">The second moment's decay, in [0, 1). Default 0.999.</param>
    /// <param name="epsilon">Added to the root of the second moment, greater than 0. Default 1e-8.</param>
    /// <param name="weightDecay">Decoupled weight decay λ, taken at y. Default 0.</param>
    /// <param name="warmupSteps">Steps of built-in linear warmup of the rate. Default 0.</param>
    /// <param name="weightLrPower">The power p of the averaging weight <c>lr_max^p</c>. Default 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; the message names it and its value.</exception>
    public ScheduleFreeAdamW(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0, int warmupSteps = 0, double weightLrPower = 2)
        : base(parameters, Checked(learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, weightLrPower), secondMoment: true)
    {
    }

    private static Options Checked(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, int warmupSteps, double weightLrPower)
    {
        Validate(learningRate, weightDecay, warmupSteps, weightLrPower);
        Guard.OpenFraction(beta1, nameof(beta1), "the interpolation between the average x and the AdamW sequence z");
        if (!double.IsFinite(beta2) || beta2 < 0 || beta2 >= 1) throw Guard.Fail(nameof(beta2), beta2, "must lie in [0, 1)");
        Guard.Positive(epsilon, nameof(epsilon));
        return new Options(learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, weightLrPower);
    }

    private protected override double EffectiveRate(double rate, long k, Options options) => rate * Math.Sqrt(1 - Math.Pow(options.Beta2, k + 1));

    private protected override void UpdateZ(State state, Tensor y, Tensor grad, StepScalars scalars)
    {
        var v = state.ExpAvgSq!;
        if (scalars.Decays) state.Z.add_(y, alpha: scalars.NegativeRateDecay);
        v.mul_(scalars.Beta2).addcmul_(grad, grad, value: scalars.OneMinusBeta2);
        using var denominator = v.sqrt().add_(scalars.Epsilon);
        state.Z.addcdiv_(grad, denominator, value: scalars.NegativeRate);
    }
}
