using TorchSharp.Modules;
using WideMinima.Internal;
using static TorchSharp.torch;

namespace WideMinima.Optim;

/// <summary>
/// Schedule-Free SGD (Defazio et al. 2024, arXiv 2405.15682): <c>z ← z − γ (∇f(y) + λ y)</c>, then the averaging and
/// interpolation of <see cref="ScheduleFreeOptimizer"/>. Use it as <c>torch.optim.SGD</c> (<c>zero_grad()</c>,
/// <c>backward()</c>, <c>step()</c>), and call <see cref="ScheduleFreeOptimizer.Eval"/> before evaluating or saving
/// the model and <see cref="ScheduleFreeOptimizer.Train"/> before training again.
/// </summary>
public sealed class ScheduleFreeSgd : ScheduleFreeOptimizer
{
    /// <summary>Creates the optimizer; every parameter's z and x start at its current value.</summary>
    /// <param name="parameters">The parameters to optimize (one group).</param>
    /// <param name="learningRate">The rate γ (a scheduler may change the group's rate between steps).</param>
    /// <param name="momentum">The interpolation β of <c>y = β x + (1 − β) z</c>, strictly between 0 and 1. Default 0.9.</param>
    /// <param name="weightDecay">L2 weight decay λ, taken at y. Default 0.</param>
    /// <param name="warmupSteps">Steps of built-in linear warmup of the rate. Default 0.</param>
    /// <param name="weightLrPower">The power p of the averaging weight <c>lr_max^p</c>. Default 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; the message names it and its value.</exception>
    public ScheduleFreeSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0.9, double weightDecay = 0, int warmupSteps = 0, double weightLrPower = 2)
        : base(parameters, Checked(learningRate, momentum, weightDecay, warmupSteps, weightLrPower), secondMoment: false)
    {
    }

    private static Options Checked(double learningRate, double momentum, double weightDecay, int warmupSteps, double weightLrPower)
    {
        Validate(learningRate, weightDecay, warmupSteps, weightLrPower);
        Guard.OpenFraction(momentum, nameof(momentum), "the interpolation between the average x and the SGD sequence z");
        return new Options(learningRate, momentum, beta2: 0, epsilon: 0, weightDecay, warmupSteps, weightLrPower);
    }

    private protected override double EffectiveRate(double rate, long k, Options options) => rate;

    private protected override void UpdateZ(State state, Tensor y, Tensor grad, StepScalars scalars)
    {
        if (scalars.Decays) state.Z.add_(y, alpha: scalars.NegativeRateDecay);
        state.Z.add_(grad, alpha: scalars.NegativeRate);
    }
}
