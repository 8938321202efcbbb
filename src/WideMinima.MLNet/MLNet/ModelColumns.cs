namespace WideMinima.MLNet;

/// <summary>The columns a WideMinima model reads and writes.</summary>
/// <param name="Label">The label column it was trained on.</param>
/// <param name="Features">The features column it reads.</param>
/// <param name="Score">The class-probability column it adds.</param>
/// <param name="PredictedLabel">The predicted-label column it adds.</param>
public sealed record ModelColumns(string Label, string Features, string Score, string PredictedLabel);
