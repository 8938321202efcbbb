namespace WideMinima.Training;

/// <summary>Metrics of one epoch; also what progress callbacks receive.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs in the budget.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps (weights changing as it goes).</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set, when one was given.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set, when one was given.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double LearningRate, double? ValidationAccuracy, double? ValidationLoss, double Seconds);
