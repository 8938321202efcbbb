using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Internal;
using static TorchSharp.torch;

namespace WideMinima.Optim;

/// <summary>
/// Schedule-Free optimization (Defazio et al. 2024, "The Road Less Scheduled", arXiv 2405.15682): the base of
/// <see cref="ScheduleFreeSgd"/> and <see cref="ScheduleFreeAdamW"/>. Three sequences per parameter: z, where the
/// base optimizer steps; x, a weighted average of the z's, which is what is evaluated; and y, the interpolation
/// between them where gradients are taken. Step t (0-based k = t - 1) is
/// <code>
///   γ_t  = lr_t · min(1, (k + 1) / warmupSteps)           (the group's rate, with the built-in linear warmup)
///   z    ← z − γ_t ∇f(y)                                   (plus decay; AdamW: preconditioned, bias correction in γ_t)
///   c    = lr_max^p / Σ_{i ≤ t} lr_max,i^p,   lr_max = max_{i ≤ t} γ_i,   p = weightLrPower
///   x    ← (1 − c) x + c z
///   y    = β x + (1 − β) z                                 (β: momentum, or AdamW's β1)
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// <b>Formulation.</b> The parameters hold y while training (so <c>backward()</c> takes the gradient at y, and
/// <c>step()</c> and <c>zero_grad()</c> are used exactly as with <c>torch.optim.SGD</c>); z and x are stored in
/// the per-parameter <see cref="State"/>. This is the paper's reference formulation, not the memory-saving one that
/// recovers x from y and z by division: here every sequence is stored, so nothing is reconstructed and nothing is
/// rounded twice. <see cref="Eval"/> copies x into the parameters, keeping y aside; <see cref="Train"/> copies that y
/// back, bit for bit. <c>step()</c> refuses to run in eval mode.
/// </para>
/// <para>
/// <b>Rate.</b> Each step's rate is the parameter group's <c>LearningRate</c>, read when <c>step()</c> runs, so a
/// scheduler (e.g. <see cref="ScheduledLR"/>) can drive it. The built-in warmup multiplies it by
/// <c>(k + 1) / warmupSteps</c> for the first <c>warmupSteps</c> steps, computed as <c>lr * (k + 1) / warmupSteps</c>,
/// the same arithmetic as the schedules' warmup: a constant schedule with W warmup steps and
/// <c>warmupSteps = 0</c> gives bit for bit the same run as a constant schedule without warmup and
/// <c>warmupSteps = W</c>. An external schedule and the built-in warmup multiply. The averaging weight uses the
/// largest rate seen so far, so a schedule that decays after its peak averages the later z's uniformly.
/// </para>
/// <para>
/// <b>State.</b> Per parameter z, x and (AdamW) the second moment; per group the step count k, lr_max and the
/// running weight sum (in <see cref="Options"/>, as the reference keeps them in the group). All of it, with the
/// parameters themselves (y, in train mode), is the whole state: restoring it continues the run bit for bit.
/// TorchSharp's <c>save_state_dict</c> writes it; save the model and the optimizer in train mode.
/// </para>
/// </remarks>
public abstract class ScheduleFreeOptimizer : OptimizerHelper
{
    private readonly List<Group> _groups = [];
    private readonly bool _secondMoment;

    private protected ScheduleFreeOptimizer(IEnumerable<Parameter> parameters, Options defaults, bool secondMoment)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _secondMoment = secondMoment;
        _defaults = defaults;
        _parameter_groups = new List<TorchSharp.Modules.ParamGroup>();
        AddGroup(new TorchSharp.Modules.ParamGroup { Parameters = parameters });
    }

    /// <summary>True in train mode (the parameters hold y); false after <see cref="Eval"/> (they hold x).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The parameter groups' options and progress (step count, lr_max, weight sum), in group order.</summary>
    public IReadOnlyList<Options> GroupOptions => [.. _groups.Select(g => g.Options)];

    /// <summary>The per-parameter states (z, x, second moment), in the order of the groups and their parameters.</summary>
    public IReadOnlyList<State> States => [.. _groups.SelectMany(g => g.States)];

    /// <summary>Eval mode: the parameters get x, the average to evaluate; y is kept aside for <see cref="Train"/>. Idempotent.</summary>
    public void Eval()
    {
        if (!IsTraining) return;
        using (no_grad())
        {
            foreach (var group in _groups)
            {
                for (int i = 0; i < group.Parameters.Length; i++)
                {
                    var state = group.States[i];
                    state.Stash(group.Parameters[i]);
                    group.Parameters[i].copy_(state.X);
                }
            }
        }
        IsTraining = false;
    }

    /// <summary>Train mode: the parameters get back the y that <see cref="Eval"/> set aside, bit for bit. Idempotent.</summary>
    public void Train()
    {
        if (IsTraining) return;
        using (no_grad())
        {
            foreach (var group in _groups)
            {
                for (int i = 0; i < group.Parameters.Length; i++) group.Parameters[i].copy_(group.States[i].StashedY!);
            }
        }
        IsTraining = true;
    }

    /// <summary>One optimizer step on the gradients at y (the parameters); parameters without a gradient are skipped.</summary>
    /// <exception cref="InvalidOperationException">The optimizer is in eval mode.</exception>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (!IsTraining)
            throw new InvalidOperationException($"{GetType().Name}.step() was called in eval mode, where the parameters hold the average x; call Train() first.");
        Tensor? loss = null;
        if (closure is not null)
        {
            using (enable_grad()) loss = closure();
        }
        using (no_grad())
        {
            for (int g = 0; g < _groups.Count; g++) Step(_groups[g]);
        }
        return loss!;
    }

    private void Step(Group group)
    {
        var o = group.Options;
        long k = o.Step;
        double rate = o.LearningRate ?? 0;
        if (k < o.WarmupSteps) rate = rate * (k + 1) / o.WarmupSteps;
        rate = EffectiveRate(rate, k, o);
        double lrMax = Math.Max(rate, o.LearningRateMax);
        double weight = Math.Pow(lrMax, o.WeightLrPower);
        double weightSum = o.WeightSum + weight;
        double c = weightSum > 0 ? weight / weightSum : 0; // nothing to average while every rate so far was 0
        using var scalars = new StepScalars(rate, o, c);
        for (int i = 0; i < group.Parameters.Length; i++)
        {
            var y = group.Parameters[i];
            using var grad = y.grad;
            if (grad is null) continue;
            var state = group.States[i];
            UpdateZ(state, y, grad, scalars);
            state.X.mul_(scalars.Keep).add_(state.Z, alpha: scalars.Take);
            y.copy_(state.X).mul_(scalars.Beta).add_(state.Z, alpha: scalars.OneMinusBeta);
        }
        o.LearningRateMax = lrMax;
        o.WeightSum = weightSum;
        o.Step = k + 1;
    }

    /// <summary>The rate z steps with at 0-based step <paramref name="k"/>, from the warmed-up group rate (AdamW folds its bias correction in).</summary>
    private protected abstract double EffectiveRate(double rate, long k, Options options);

    /// <summary>The base optimizer's step on z at gradient <paramref name="grad"/> taken at <paramref name="y"/>.</summary>
    private protected abstract void UpdateZ(State state, Tensor y, Tensor grad, StepScalars scalars);

    /// <summary>Adds a group: its Options may be null (the defaults) or carry only a learning rate; its progress starts at 0.</summary>
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group) => AddGroup(param_group);

    private void AddGroup(TorchSharp.Modules.ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(group.Parameters, nameof(group.Parameters));
        var defaults = (Options)_defaults;
        var options = defaults.Fresh(group.Options?.LearningRate ?? defaults.LearningRate ?? 0);
        var parameters = group.Parameters.ToArray();
        group.Parameters = parameters; // enumerated once: zero_grad and state_dict see the same list every time
        group.Options = options;
        var states = new State[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            states[i] = new State(parameters[i], _secondMoment);
            _state[parameters[i].Handle] = states[i];
        }
        _parameter_groups.Add(group);
        _groups.Add(new Group(options, parameters, states));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var group in _groups)
        {
            foreach (var state in group.States) state.Dispose();
        }
        _groups.Clear();
        _state.Clear();
    }

    private sealed record Group(Options Options, Parameter[] Parameters, State[] States);

    /// <summary>The scalars one step of one group uses for every parameter, made once per step and freed after it.</summary>
    private protected sealed class StepScalars : IDisposable
    {
        public StepScalars(double rate, Options o, double c)
        {
            NegativeRate = -rate;
            NegativeRateDecay = -(rate * o.WeightDecay);
            Decays = o.WeightDecay != 0;
            Keep = 1 - c;
            Take = c;
            Beta = o.Beta;
            OneMinusBeta = 1 - o.Beta;
            Beta2 = o.Beta2;
            OneMinusBeta2 = 1 - o.Beta2;
            Epsilon = o.Epsilon;
        }

        public bool Decays { get; }
        public Scalar NegativeRate { get; }
        public Scalar NegativeRateDecay { get; }
        public Scalar Keep { get; }
        public Scalar Take { get; }
        public Scalar Beta { get; }
        public Scalar OneMinusBeta { get; }
        public Scalar Beta2 { get; }
        public Scalar OneMinusBeta2 { get; }
        public Scalar Epsilon { get; }

        public void Dispose()
        {
            NegativeRate.Dispose();
            NegativeRateDecay.Dispose();
            Keep.Dispose();
            Take.Dispose();
            Beta.Dispose();
            OneMinusBeta.Dispose();
            Beta2.Dispose();
            OneMinusBeta2.Dispose();
            Epsilon.Dispose();
        }
    }

    /// <summary>A parameter group's hyperparameters and its progress, which the reference also keeps in the group.</summary>
    public sealed class Options : OptimizerOptions
    {
        internal Options(double learningRate, double beta, double beta2, double epsilon, double weightDecay, int warmupSteps, double weightLrPower)
        {
            LearningRate = learningRate;
            InitialLearningRate = learningRate;
            Beta = beta;
            Beta2 = beta2;
            Epsilon = epsilon;
            WeightDecay = weightDecay;
            WarmupSteps = warmupSteps;
            WeightLrPower = weightLrPower;
        }

        /// <summary>The interpolation β of <c>y = β x + (1 − β) z</c>: SGD's momentum, AdamW's β1.</summary>
        public double Beta { get; private set; }

        /// <summary>AdamW's second-moment decay β2 (unused by SGD).</summary>
        public double Beta2 { get; private set; }

        /// <summary>AdamW's ε, added to the root of the second moment (unused by SGD).</summary>
        public double Epsilon { get; private set; }

        /// <summary>Weight decay, taken at y: added to the gradient (SGD) or decoupled (AdamW).</summary>
        public double WeightDecay { get; private set; }

        /// <summary>Steps of the built-in linear warmup (0: none).</summary>
        public int WarmupSteps { get; private set; }

        /// <summary>The power p of the averaging weight <c>lr_max^p</c>.</summary>
        public double WeightLrPower { get; private set; }

        /// <summary>Steps taken (the reference's k).</summary>
        public long Step { get; internal set; }

        /// <summary>The largest rate used so far; −1 before the first step (the reference's initial value).</summary>
        public double LearningRateMax { get; internal set; } = -1;

        /// <summary>The sum of the averaging weights so far.</summary>
        public double WeightSum { get; internal set; }

        /// <summary>These hyperparameters at <paramref name="learningRate"/>, with no progress.</summary>
        internal Options Fresh(double learningRate) => new(learningRate, Beta, Beta2, Epsilon, WeightDecay, WarmupSteps, WeightLrPower);

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            base.SaveStateDict(writer);
            writer.Write(Beta);
            writer.Write(Beta2);
            writer.Write(Epsilon);
            writer.Write(WeightDecay);
            writer.Write(WarmupSteps);
            writer.Write(WeightLrPower);
            writer.Write(Step);
            writer.Write(LearningRateMax);
            writer.Write(WeightSum);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            ArgumentNullException.ThrowIfNull(reader);
            base.LoadStateDict(reader);
            Beta = reader.ReadDouble();
            Beta2 = reader.ReadDouble();
            Epsilon = reader.ReadDouble();
            WeightDecay = reader.ReadDouble();
            WarmupSteps = reader.ReadInt32();
            WeightLrPower = reader.ReadDouble();
            Step = reader.ReadInt64();
            LearningRateMax = reader.ReadDouble();
            WeightSum = reader.ReadDouble();
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            if (source is not Options o) throw new ArgumentException($"Expected Schedule-Free options, got {source?.GetType().Name ?? "null"}.", nameof(source));
            (Beta, Beta2, Epsilon, WeightDecay, WarmupSteps, WeightLrPower) = (o.Beta, o.Beta2, o.Epsilon, o.WeightDecay, o.WarmupSteps, o.WeightLrPower);
            (Step, LearningRateMax, WeightSum) = (o.Step, o.LearningRateMax, o.WeightSum);
        }

        /// <summary>Sets the progress of a group (a checkpoint restoring it): steps taken, lr_max and the weight sum.</summary>
        internal void Restore(long step, double learningRateMax, double weightSum)
        {
            Guard.NonNegative(step, nameof(step));
            (Step, LearningRateMax, WeightSum) = (step, learningRateMax, weightSum);
        }
    }

    /// <summary>One parameter's Schedule-Free state: z, x and (AdamW) the second moment, each the parameter's shape and type.</summary>
    public sealed class State : OptimizerState, IDisposable
    {
        private Tensor _z;
        private Tensor _x;
        private Tensor? _expAvgSq;
        private Tensor? _y;

        internal State(Parameter parameter, bool secondMoment) : base(parameter)
        {
            using (no_grad())
            {
                _z = parameter.detach().clone().DetachFromDisposeScope();
                _x = parameter.detach().clone().DetachFromDisposeScope();
                _expAvgSq = secondMoment ? zeros_like(parameter).DetachFromDisposeScope() : null;
            }
        }

        /// <summary>The sequence the base optimizer steps on.</summary>
        public Tensor Z => _z;

        /// <summary>The average: what is evaluated.</summary>
        public Tensor X => _x;

        /// <summary>AdamW's second moment (no bias correction: it is folded into the rate); null for SGD.</summary>
        public Tensor? ExpAvgSq => _expAvgSq;

        /// <summary>y while the optimizer is in eval mode.</summary>
        internal Tensor? StashedY => _y;

        internal void Stash(Parameter parameter)
        {
            _y ??= empty_like(parameter).DetachFromDisposeScope();
            _y.copy_(parameter);
        }

        /// <summary>Frees the tensors.</summary>
        public void Dispose()
        {
            _z.Dispose();
            _x.Dispose();
            _expAvgSq?.Dispose();
            _y?.Dispose();
        }

        /// <inheritdoc />
        public override void to(Device device)
        {
            _z = _z.to(device, disposeAfter: true);
            _x = _x.to(device, disposeAfter: true);
            _expAvgSq = _expAvgSq?.to(device, disposeAfter: true);
            _y = _y?.to(device, disposeAfter: true);
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            _z.Save(writer);
            _x.Save(writer);
            SaveConditionalStateTensor(writer, _expAvgSq);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            _z.Load(reader);
            _x.Load(reader);
            LoadConditionalStateTensor(reader, ref _expAvgSq, _parameter.device);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            if (source is not State other) throw new ArgumentException($"Expected a Schedule-Free state, got {source?.GetType().Name ?? "null"}.", nameof(source));
            using (no_grad())
            {
                _z.copy_(other._z);
                _x.copy_(other._x);
                if ((_expAvgSq is null) != (other._expAvgSq is null))
                    throw new ArgumentException("One state has a second moment and the other has none (SGD and AdamW states do not mix).", nameof(source));
                _expAvgSq?.copy_(other._expAvgSq!);
            }
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State o && _z.allclose(o._z) && _x.allclose(o._x)
            && (_expAvgSq is null ? o._expAvgSq is null : o._expAvgSq is not null && _expAvgSq.allclose(o._expAvgSq));

        /// <summary>Back to the start: z and x are the parameter's current value, the second moment zero.</summary>
        public override void Initialize(OptimizerOptions options)
        {
            using (no_grad())
            {
                _z.copy_(_parameter);
                _x.copy_(_parameter);
                _expAvgSq?.zero_();
            }
        }
    }

    /// <summary>Checks shared by both optimizers, each message naming the argument and its value.</summary>
    private protected static void Validate(double learningRate, double weightDecay, int warmupSteps, double weightLrPower)
    {
        Guard.NonNegative(learningRate, nameof(learningRate));
        Guard.NonNegative(weightDecay, nameof(weightDecay));
        Guard.NonNegative((long)warmupSteps, nameof(warmupSteps));
        Guard.NonNegative(weightLrPower, nameof(weightLrPower));
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{GetType().Name}(groups {_groups.Count}, step {(_groups.Count > 0 ? _groups[0].Options.Step : 0)}, {(IsTraining ? "train" : "eval")} mode)");
}
