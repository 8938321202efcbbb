using System.Text.Json;
using TorchSharp;
using WideMinima.Internal;
using WideMinima.Schedules;
using static TorchSharp.torch.optim;

namespace WideMinima.Optim;

/// <summary>
/// Drives any TorchSharp optimizer from any <see cref="LearningRateSchedule"/>. Call <c>step()</c>
/// once after every optimizer step, as with PyTorch's schedulers.
/// </summary>
/// <remarks>
/// <para>
/// Construction sets the rate of step 1, and the k-th <c>step()</c> sets the rate of step k+1: the
/// reference Knee scheduler's convention. <see cref="CurrentStep"/> is the step whose rate is now set.
/// </para>
/// <para>
/// Each parameter group's rate is <c>schedule(step) * scale[g]</c>. By default the scales keep the groups'
/// initial rates in proportion to group 0 (a head at 10x the backbone stays at 10x); group 0 follows the
/// schedule exactly. TorchSharp's own schedulers cannot be saved; this one can: see <see cref="StateDict"/>.
/// </para>
/// </remarks>
public class ScheduledLR : lr_scheduler.LRScheduler
{
    private readonly Optimizer _optimizer;
    private readonly double[] _groupScales;
    private long _step;

    /// <summary>Wraps <paramref name="optimizer"/> and sets the rate of step 1.</summary>
    /// <param name="optimizer">The optimizer whose parameter groups' rates are set.</param>
    /// <param name="schedule">The schedule to follow.</param>
    /// <param name="groupScales">One multiplier per parameter group; null keeps the groups' initial rates in proportion to group 0.</param>
    public ScheduledLR(Optimizer optimizer, LearningRateSchedule schedule, IReadOnlyList<double>? groupScales = null)
        : base(optimizer ?? throw new ArgumentNullException(nameof(optimizer)), -1, false)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _optimizer = optimizer;
        Schedule = schedule;
        var groups = optimizer.ParamGroups.ToArray();
        _groupScales = groupScales is null ? DefaultScales(groups) : [.. groupScales];
        if (_groupScales.Length != groups.Length)
            throw Guard.Fail(nameof(groupScales), _groupScales.Length, $"must have one entry per parameter group ({groups.Length})");
        for (int g = 0; g < _groupScales.Length; g++) Guard.Positive(_groupScales[g], $"{nameof(groupScales)}[{g}]");
        step();
    }

    /// <summary>The schedule being followed.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The 1-based step whose rate the optimizer now holds.</summary>
    public long CurrentStep => _step;

    /// <summary>The multipliers applied to the schedule, one per parameter group.</summary>
    public IReadOnlyList<double> GroupScales => _groupScales;

    /// <summary>Advances one step; with <paramref name="epoch"/>, jumps to the 0-based step index given (closed form).</summary>
    public override void step(int? epoch)
    {
        _step = epoch.HasValue ? Guard.NonNegative((long)epoch.Value, nameof(epoch)) + 1 : _step + 1;
        base.step(epoch);
    }

    /// <inheritdoc />
    protected override IEnumerable<double> get_lr()
    {
        double lr = Schedule.LearningRate(_step);
        var rates = new double[_groupScales.Length];
        for (int g = 0; g < rates.Length; g++) rates[g] = lr * _groupScales[g];
        return rates;
    }

    /// <inheritdoc />
    protected override IEnumerable<double> get_closed_form_lr() => get_lr();

    /// <summary>Everything needed to resume mid-training: the step, the group scales and the schedule.</summary>
    public ScheduledLRState StateDict() => new(_step, [.. _groupScales], ScheduleJson.Serialize(Schedule));

    /// <summary>
    /// Resumes from <paramref name="state"/>: the optimizer gets the rate of the saved step, and the
    /// following <c>step()</c> calls continue the sequence exactly.
    /// </summary>
    /// <exception cref="ArgumentException">The state was saved with another schedule or group count.</exception>
    public void LoadStateDict(ScheduledLRState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string following = ScheduleJson.Serialize(Schedule);
        if (state.ScheduleJson != following)
            throw new ArgumentException($"The saved state is for schedule {state.ScheduleJson}, but this scheduler follows {following}.", nameof(state));
        if (state.GroupScales.Length != _groupScales.Length)
            throw Guard.Fail($"{nameof(state)}.{nameof(state.GroupScales)}", state.GroupScales.Length,
                $"must have one entry per parameter group ({_groupScales.Length})");
        Guard.Positive(state.Step, $"{nameof(state)}.{nameof(state.Step)}");
        if (state.Step > int.MaxValue) throw Guard.Fail($"{nameof(state)}.{nameof(state.Step)}", state.Step, "must fit TorchSharp's int epoch counter");
        state.GroupScales.CopyTo(_groupScales, 0);
        step((int)(state.Step - 1));
    }

    private static double[] DefaultScales(ILearningRateController[] groups)
    {
        var scales = new double[groups.Length];
        double first = groups.Length > 0 ? groups[0].InitialLearningRate : 0;
        for (int g = 0; g < scales.Length; g++)
            scales[g] = first > 0 && groups[g].InitialLearningRate > 0 ? groups[g].InitialLearningRate / first : 1.0;
        return scales;
    }
}

/// <summary>A <see cref="ScheduledLR"/>'s resumable state; plain data that round-trips through JSON.</summary>
/// <param name="Step">The 1-based step whose rate was set when saved.</param>
/// <param name="GroupScales">The per-group multipliers.</param>
/// <param name="ScheduleJson">The schedule, as <see cref="Schedules.ScheduleJson"/> writes it.</param>
public sealed record ScheduledLRState(long Step, double[] GroupScales, string ScheduleJson)
{
    /// <summary>This state as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Schedules.ScheduleJson.Options);

    /// <summary>Reads a state written by <see cref="ToJson"/>.</summary>
    public static ScheduledLRState FromJson(string json) =>
        JsonSerializer.Deserialize<ScheduledLRState>(json, Schedules.ScheduleJson.Options)
        ?? throw new JsonException("The scheduler state JSON is 'null'.");
}
