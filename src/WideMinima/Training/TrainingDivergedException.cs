using System.Globalization;

namespace WideMinima.Training;

/// <summary>The training loss became NaN or infinite: the learning rate is too high for this model and data.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int epoch, long step, double learningRate, double loss)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged: the loss was {loss} by step {step} (epoch {epoch}) at learning rate {learningRate}. Lower the peak learning rate, add warmup or gradient clipping."))
    {
        Epoch = epoch;
        Step = step;
        LearningRate = learningRate;
        Loss = loss;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TrainingDivergedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The 1-based epoch in which the loss was found not finite.</summary>
    public int Epoch { get; }

    /// <summary>The step by which it was found.</summary>
    public long Step { get; }

    /// <summary>The learning rate at that step.</summary>
    public double LearningRate { get; }

    /// <summary>The loss seen.</summary>
    public double Loss { get; }
}
