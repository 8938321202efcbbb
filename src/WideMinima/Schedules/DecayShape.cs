namespace WideMinima.Schedules;

/// <summary>The shape of a decay from the peak to the floor learning rate.</summary>
public enum DecayShape
{
    /// <summary>A straight line: the paper's Knee "exploit" phase.</summary>
    Linear,
    /// <summary>Half a cosine wave, as in cosine annealing.</summary>
    Cosine,
    /// <summary><c>1 - sqrt(progress)</c>, the cooldown of warmup-stable-decay schedules: it drops fast, then flattens.</summary>
    OneMinusSqrt,
}
